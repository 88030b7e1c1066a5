namespace RedisAutoExpiry.Tagging;

/// <summary>
/// Names every Redis key the cache uses. Entries sit at <c>InstanceName + key</c> (as with Microsoft's RedisCache);
/// everything else sits under <c>InstanceName + "#rae:"</c>, a prefix user keys may not start with, so no user key
/// can name a tag set or an index. See docs/tags.md for the layout.
/// </summary>
internal sealed class KeyLayout
{
    /// <summary>User keys starting with this are refused: the cache's own keys live there.</summary>
    public const string ReservedKeyPrefix = "#rae:";

    /// <summary>
    /// Output cache entries are entries whose key is this plus the middleware's key: inside the reserved prefix, so
    /// no IDistributedCache key can collide with a cached response, yet tagged, evicted and cleaned like any entry.
    /// </summary>
    public const string OutputEntryPrefix = ReservedKeyPrefix + "out:";

    public KeyLayout(string? instanceName)
    {
        Prefix = instanceName ?? string.Empty;
        TagSetPrefix = Prefix + ReservedKeyPrefix + "tag:";
        EntryTagsPrefix = Prefix + ReservedKeyPrefix + "entry-tags:";
        TagSetPattern = EscapeGlob(TagSetPrefix) + "*";
        SweepLock = Prefix + ReservedKeyPrefix + "sweep-lock";
        LeasePrefix = Prefix + ReservedKeyPrefix + "lease:";
        StoredChannel = Prefix + ReservedKeyPrefix + "stored";
        EvictionCursorPrefix = Prefix + ReservedKeyPrefix + "evicting:";
    }

    /// <summary>The InstanceName; an entry's key is this plus the user's key.</summary>
    public string Prefix { get; }

    /// <summary>Prefix of the Redis sets, one per tag, holding the user keys of the entries that carry the tag.</summary>
    public string TagSetPrefix { get; }

    /// <summary>Prefix of the strings, one per tagged entry, listing its tags: what finds its tag sets once it is gone.</summary>
    public string EntryTagsPrefix { get; }

    /// <summary>
    /// SCAN MATCH pattern of every tag set: the sweep finds tag sets by scanning rather than from a registry key,
    /// which an <c>allkeys-*</c> eviction policy could evict along with the only way to find them.
    /// </summary>
    public string TagSetPattern { get; }

    /// <summary>Held by the one process sweeping at a time.</summary>
    public string SweepLock { get; }

    /// <summary>Prefix of the output cache's stampede leases: one short-lived string per response being rendered.</summary>
    public string LeasePrefix { get; }

    /// <summary>Pub/sub channel announcing, by entry key, that a leased response was stored or abandoned.</summary>
    public string StoredChannel { get; }

    /// <summary>Prefix of the keys that hold a running eviction's SSCAN cursor between its pages (see TagScripts.EvictPage).</summary>
    public string EvictionCursorPrefix { get; }

    /// <summary>A new eviction's cursor key: one per eviction, so evictions of the same tag never share a cursor.</summary>
    public string NewEvictionCursor() => string.Concat(EvictionCursorPrefix, Guid.NewGuid().ToString("N"));

    public string Lease(string key) => string.Concat(LeasePrefix, key);

    public string Entry(string key) => Prefix.Length == 0 ? key : string.Concat(Prefix, key);

    public string EntryTags(string key) => string.Concat(EntryTagsPrefix, key);

    public string TagSet(string tag) => string.Concat(TagSetPrefix, tag);

    /// <summary>The entry key (before InstanceName) of the response the output cache middleware stores under <paramref name="key"/>.</summary>
    public static string OutputEntry(string key) => string.Concat(OutputEntryPrefix, key);

    // InstanceName is the app's string and may hold glob characters: they must match themselves in SCAN MATCH.
    private static string EscapeGlob(string literal)
    {
        var escaped = new System.Text.StringBuilder(literal.Length + 8);
        foreach (var character in literal)
        {
            if (character is '*' or '?' or '[' or ']' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(character);
        }

        return escaped.ToString();
    }

    /// <summary>
    /// The user key of an entry whose Redis key a keyspace notification named, or null when the key is not one of
    /// this cache's entries (another app's key, or one of our own tag sets and indexes). Output cache entries count as
    /// entries: their key keeps its <see cref="OutputEntryPrefix"/>.
    /// </summary>
    public string? UserKeyOf(string redisKey)
    {
        if (!redisKey.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var key = redisKey[Prefix.Length..];
        return !key.StartsWith(ReservedKeyPrefix, StringComparison.Ordinal) || key.StartsWith(OutputEntryPrefix, StringComparison.Ordinal)
            ? key
            : null;
    }
}
