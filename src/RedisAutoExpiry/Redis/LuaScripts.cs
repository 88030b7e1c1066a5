namespace RedisAutoExpiry.Redis;

/// <summary>
/// The server-side scripts. Only writes and capped sliding refreshes use them: a script costs Redis several times a
/// GET in CPU, so the read path stays a plain GET.
/// </summary>
internal static class LuaScripts
{
    /// <summary>
    /// Writes an entry whose TTL combines limits, reading Redis's own clock: TTL = min(absolute − now, relative,
    /// sliding). A sliding entry's cap (the earlier of the absolute instant and now + relative) is written into its
    /// header so later refreshes can stop there. An entry already expired by Redis's clock is deleted, as SET PXAT
    /// does with a past instant.
    /// KEYS[1] entry; ARGV: stored bytes, relative ms, absolute Unix ms, sliding ms (0 = unset), cap offset (-1 = none).
    /// </summary>
    public const string SetWithServerClock = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local relative, cap, sliding = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        if relative > 0 and (cap == 0 or now + relative < cap) then cap = now + relative end
        local ttl = cap - now
        if sliding > 0 and sliding < ttl then ttl = sliding end
        if ttl <= 0 then
          redis.call('DEL', KEYS[1])
          return 0
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', string.format('%d', ttl))
        local offset = tonumber(ARGV[5])
        if offset >= 0 then redis.call('SETRANGE', KEYS[1], offset, struct.pack('<i8', cap)) end
        return 1
        """;

    /// <summary>
    /// Extends a capped sliding entry by its window, never past its cap (judged by Redis's clock). Atomic, so no
    /// reader ever sees the TTL beyond the cap. KEYS[1] entry; ARGV: sliding ms, cap Unix ms.
    /// </summary>
    public const string ExtendWithCap = """
        if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 1 then
          return redis.call('PEXPIREAT', KEYS[1], ARGV[2], 'LT')
        end
        return 0
        """;
}
