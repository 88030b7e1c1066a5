using RedisAutoExpiry.Entries;
using RedisAutoExpiry.Tagging;
using StackExchange.Redis;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// An untagged Set whose TTL is one duration (relative, sliding, or none): <c>SET entry value PX ttl</c>, then a
/// fire-and-forget <c>DEL</c> of the entry's tag index, pipelined. A script would cost Redis several times a SET
/// (measured: a Set ran at 0.2-0.4x of a raw SET as the write script; see docs/performance.md).
/// </summary>
/// <remarks>
/// The index is what says which tags an entry carries, so dropping it makes the entry untagged even though tag sets
/// written before may still name it: eviction deletes only entries whose index lists the tag, and eviction or the
/// sweep drops such a stale member. The order is what keeps this safe without a script: the entry is written first,
/// so a DEL that fails or has not run yet leaves an index naming tags the new value no longer carries, which can
/// only make an eviction delete it too early (a miss), never keep a tagged entry its tag cannot find. A tagged Set
/// stays one script: as plain commands, an eviction running between them could take the entry out of a tag set it
/// is being written into, and leave it there unfindable.
/// </remarks>
internal readonly struct PlainWrite
{
    private readonly RedisKey _entry;
    private readonly RedisKey _index;
    private readonly byte[] _stored;
    private readonly TimeSpan? _expiry;

    public PlainWrite(KeyLayout layout, EntryWrite write)
    {
        _entry = layout.Entry(write.Key);
        _index = layout.EntryTags(write.Key);
        _stored = write.Stored;
        var milliseconds = write.Expiration.RelativeMilliseconds + write.Expiration.SlidingMilliseconds;
        _expiry = milliseconds > 0 ? TimeSpan.FromMilliseconds(milliseconds) : null;
    }

    /// <summary>Untagged, and Redis need not combine limits or resolve an instant by its clock.</summary>
    public static bool Applies(EntryWrite write) => write.Tags.Length == 0 && !write.Expiration.NeedsServerClock;

    // Every argument given: from 2.13 on, a TimeSpan? alone would also fit the client's Expiration overload.
    public bool Send(IDatabase database)
    {
        var written = database.StringSet(_entry, _stored, _expiry, When.Always, CommandFlags.None);
        database.KeyDelete(_index, CommandFlags.FireAndForget);
        return written;
    }

    public Task<bool> SendAsync(IDatabase database)
    {
        var written = database.StringSetAsync(_entry, _stored, _expiry, When.Always, CommandFlags.None);
        _ = database.KeyDeleteAsync(_index, CommandFlags.FireAndForget);
        return written;
    }
}
