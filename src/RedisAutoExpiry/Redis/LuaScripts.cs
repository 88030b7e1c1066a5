namespace RedisAutoExpiry.Redis;

/// <summary>
/// The server-side scripts. Only writes, refreshes of sliding entries and Refresh use them: a script costs Redis
/// several times a GET in CPU, so the read of a non-sliding entry stays a plain GET. Both scripts need Redis 7.0
/// (<c>PEXPIREAT … LT</c>; TIME before a write).
/// </summary>
internal static class LuaScripts
{
    /// <summary>
    /// Writes an entry whose TTL combines limits, reading Redis's own clock: TTL = min(absolute − now, relative,
    /// sliding). A sliding entry's cap (the earlier of the absolute instant and now + relative, at most year 9999) is
    /// written into its header so later refreshes stop there. An entry already expired by Redis's clock is deleted, as
    /// SET PXAT does with a past instant.
    /// KEYS[1] entry; ARGV: stored bytes, relative ms, absolute Unix ms, sliding ms (0 = unset), cap offset (-1 = none).
    /// </summary>
    public const string SetWithServerClock = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local relative, cap, sliding = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        if relative > 0 and (cap == 0 or now + relative < cap) then cap = now + relative end
        if cap > 253402300799999 then cap = 253402300799999 end
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
    /// Extends a sliding entry by the window in its header and, for a capped one, brings the TTL back to the cap
    /// (<c>PEXPIREAT … LT</c>, judged by Redis's clock); atomic, so no reader sees the TTL past the cap. When ARGV[1]
    /// is not empty, the entry's header must still start with those bytes: a refresh sent after a Get must not extend
    /// an entry that another writer has replaced since. The header layout is EntryHeader's (marker 0xAE, version 1).
    /// KEYS[1] entry; ARGV[1] expected header bytes or empty. Returns 1 when extended, 0 otherwise.
    /// </summary>
    public const string ExtendSliding = """
        local h = redis.call('GETRANGE', KEYS[1], 0, 17)
        local expected = ARGV[1]
        if #h < 10 or string.byte(h, 1) ~= 174 or string.sub(h, 1, #expected) ~= expected then return 0 end
        local flags = string.byte(h, 2)
        if math.floor(flags / 16) ~= 1 or flags % 16 > 3 or flags % 2 ~= 1 then return 0 end
        local window = struct.unpack('<i8', h, 3)
        if window <= 0 then return 0 end
        redis.call('PEXPIRE', KEYS[1], string.format('%d', window))
        if math.floor(flags / 2) % 2 == 1 and #h >= 18 then
          redis.call('PEXPIREAT', KEYS[1], string.format('%d', (struct.unpack('<i8', h, 11))), 'LT')
        end
        return 1
        """;
}
