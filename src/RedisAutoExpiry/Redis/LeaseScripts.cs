namespace RedisAutoExpiry.Redis;

/// <summary>
/// The scripts of the output cache's stampede lease (see <see cref="OutputCaching.StampedeProtection"/>). Each answers
/// in one round trip, and only on a miss: a hit stays a plain GET.
/// </summary>
internal static class LeaseScripts
{
    /// <summary>
    /// The entry if it is there now (it may have landed since the caller's GET), else the lease if nobody holds it.
    /// KEYS: entry, lease. ARGV: owner, lease ms. Returns <c>{1, stored}</c>, <c>{2}</c> when the lease was taken,
    /// <c>{0}</c> when another holds it, or <c>{3}</c> when the entry's key holds another Redis type (not a response:
    /// no lease for it; the caller's GET already logged it).
    /// </summary>
    public const string LookupOrTake = """
        local ok, stored = pcall(redis.call, 'GET', KEYS[1])
        if not ok then return {3} end
        if stored then return {1, stored} end
        if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
        return {0}
        """;

    /// <summary>
    /// What a waiter polls: the entry, or whether the lease is still held. KEYS: entry, lease. Returns
    /// <c>{1, stored}</c>, <c>{2}</c> while the lease is held, <c>{0}</c> when it ended without an entry, <c>{3}</c>
    /// when the entry's key holds another Redis type.
    /// </summary>
    public const string Peek = """
        local ok, stored = pcall(redis.call, 'GET', KEYS[1])
        if not ok then return {3} end
        if stored then return {1, stored} end
        if redis.call('EXISTS', KEYS[2]) == 1 then return {2} end
        return {0}
        """;

    /// <summary>
    /// Ends the caller's lease (only if it still holds it: an expired lease may have passed to another instance) and
    /// tells the waiters on every instance to look now. KEYS: lease. ARGV: owner, channel, entry key.
    /// </summary>
    public const string Release = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
        """;
}
