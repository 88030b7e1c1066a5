namespace RedisAutoExpiry.Diagnostics;

/// <summary>
/// What one Redis call does, as metrics and traces name it. One static instance per operation, so naming a call costs
/// nothing on the hot path (its tag is built once).
/// </summary>
internal sealed class RedisOperation
{
    public static readonly RedisOperation Get = new("get", "GET");
    public static readonly RedisOperation GetSliding = new("get_sliding", "EVALSHA");
    public static readonly RedisOperation GetWithTimeToLive = new("get_with_ttl", "EVALSHA");
    public static readonly RedisOperation Set = new("set", "EVALSHA", isSet: true);
    public static readonly RedisOperation Refresh = new("refresh", "EVALSHA");
    public static readonly RedisOperation Remove = new("remove", "EVALSHA");
    public static readonly RedisOperation EvictPage = new("evict_page", "EVALSHA");
    public static readonly RedisOperation SweepPage = new("sweep_page", "EVALSHA");
    public static readonly RedisOperation ScanTagSets = new("scan_tag_sets", "EVALSHA");
    public static readonly RedisOperation Forget = new("forget", "EVALSHA");
    public static readonly RedisOperation SweepLock = new("sweep_lock", "EVALSHA");
    public static readonly RedisOperation Lease = new("lease", "EVALSHA");
    public static readonly RedisOperation LeaseRelease = new("lease_release", "EVALSHA");
    public static readonly RedisOperation Ping = new("ping", "PING");

    private RedisOperation(string name, string command, bool isSet = false)
    {
        Name = name;
        Command = command;
        IsSet = isSet;
        Tag = new("redisautoexpiry.operation", name);
    }

    /// <summary>The operation's name: <c>get</c>, <c>set</c>, <c>evict_page</c>…</summary>
    public string Name { get; }

    /// <summary>The Redis command sent (scripts go as EVALSHA).</summary>
    public string Command { get; }

    /// <summary>Whether a success counts as a set (an entry written, when the script says it wrote one).</summary>
    public bool IsSet { get; }

    public KeyValuePair<string, object?> Tag { get; }
}
