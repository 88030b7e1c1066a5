namespace RedisAutoExpiry.Redis;

/// <summary>
/// The scripts for entries: writes, Remove, refreshes of sliding entries and the read with TTL. A script costs Redis
/// several times a GET in CPU, so the read of a non-sliding entry stays a plain GET. They need Redis 7.0
/// (<c>PEXPIREAT … LT</c>). Key names come from <see cref="Tagging.KeyLayout"/>; an entry's tags are kept in its
/// index string as a MessagePack array (cmsgpack, built into Redis's Lua).
/// </summary>
internal static class LuaScripts
{
    /// <summary>
    /// <c>forget(member, indexKey, tagSetPrefix)</c>: takes an entry out of every tag set its index lists and deletes
    /// the index. Returns how many tags the index listed (0 when there was none).
    /// </summary>
    public const string ForgetFunction = """
        local function forget(member, indexKey, tagSetPrefix)
          local packed = redis.call('GET', indexKey)
          if not packed then return 0 end
          local tags = cmsgpack.unpack(packed)
          for _, tag in ipairs(tags) do redis.call('SREM', tagSetPrefix .. tag, member) end
          redis.call('DEL', indexKey)
          return #tags
        end

        """;

    /// <summary>
    /// <c>extend(key, h, expected)</c>: extends a sliding entry by the window in its header <c>h</c> (the stored bytes
    /// the caller read, or their first 18) and, for a capped one, brings the TTL back to the cap (<c>PEXPIREAT … LT</c>,
    /// judged by Redis's clock); atomic, so no reader sees the TTL past the cap. When <c>expected</c> is not empty, the
    /// header must still start with those bytes: a refresh sent after a Get must not extend an entry another writer has
    /// replaced since. Header layout: EntryHeader's (marker 0xAE, version 1). Returns 1 when extended. The header is the
    /// caller's so that a script which has read the entry anyway does not read it again: a command called from Lua
    /// costs Redis 1-3 µs, a quarter of a sliding Get's script.
    /// </summary>
    private const string ExtendFunction = """
        local function extend(key, h, expected)
          if #h < 10 or string.byte(h, 1) ~= 174 or string.sub(h, 1, #expected) ~= expected then return 0 end
          local flags = string.byte(h, 2)
          if math.floor(flags / 16) ~= 1 or flags % 16 > 7 or flags % 2 ~= 1 then return 0 end
          local window = struct.unpack('<i8', h, 3)
          if window <= 0 then return 0 end
          redis.call('PEXPIRE', key, string.format('%d', window))
          if math.floor(flags / 2) % 2 == 1 and #h >= 18 then
            redis.call('PEXPIREAT', key, string.format('%d', (struct.unpack('<i8', h, 11))), 'LT')
          end
          return 1
        end

        """;

    /// <summary>
    /// Writes an entry and its tags in one atomic step. TTL = min(absolute − now, relative, sliding), reading Redis's
    /// clock only when limits combine; a sliding entry's cap (the earlier of the absolute instant and now + relative,
    /// at most year 9999) is written into its header so refreshes stop there. Tag sets the entry no longer carries
    /// lose it; the ones it carries gain it; the index lists its tags (deleted when it has none). An entry already
    /// expired by Redis's clock is removed, tags and all, as SET PXAT does with a past instant. Order matters if
    /// Redis stops the script halfway (a script is not rolled back): memberships are added first, then the index is
    /// swapped (SET … GET reads the old one), the entry written, and old memberships dropped last; nothing between
    /// the index and the entry can fail short of an internal error. When the old index equals the new one, byte for
    /// byte (the client packs it as cmsgpack does; see <see cref="Tagging.TagIndex"/>), no membership changes and
    /// nothing is unpacked.
    /// KEYS: entry, index. ARGV: stored bytes, relative ms, absolute Unix ms, sliding ms (0 = unset), cap offset
    /// (-1 = none), tag set prefix, member (the user key), packed index ('' when untagged), then the tags. Returns 1
    /// written, 0 expired.
    /// </summary>
    public const string Write = ForgetFunction + """
        local relative, absolute, sliding = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local tagSetPrefix, member, packed = ARGV[6], ARGV[7], ARGV[8]
        local ttl, cap = relative + sliding, nil
        if absolute > 0 or (relative > 0 and sliding > 0) then
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          cap = absolute
          if relative > 0 and (cap == 0 or now + relative < cap) then cap = now + relative end
          if cap > 253402300799999 then cap = 253402300799999 end
          ttl = cap - now
          if sliding > 0 and sliding < ttl then ttl = sliding end
          if ttl <= 0 then
            forget(member, KEYS[2], tagSetPrefix)
            redis.call('UNLINK', KEYS[1])
            return 0
          end
        end
        for i = 9, #ARGV do redis.call('SADD', tagSetPrefix .. ARGV[i], member) end
        local old
        if packed ~= '' then
          old = redis.call('SET', KEYS[2], packed, 'GET')
        else
          old = redis.call('GET', KEYS[2])
          if old then redis.call('DEL', KEYS[2]) end
        end
        if ttl > 0 then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', string.format('%d', ttl))
        else
          redis.call('SET', KEYS[1], ARGV[1])
        end
        local offset = tonumber(ARGV[5])
        if offset >= 0 then redis.call('SETRANGE', KEYS[1], offset, struct.pack('<i8', cap)) end
        if old and old ~= packed then
          local keep = {}
          for i = 9, #ARGV do keep[ARGV[i]] = true end
          for _, tag in ipairs(cmsgpack.unpack(old)) do
            if not keep[tag] then redis.call('SREM', tagSetPrefix .. tag, member) end
          end
        end
        return 1
        """;

    /// <summary>
    /// Remove: deletes the entry (UNLINK: a large value is freed off Redis's main thread) and takes it out of its tag
    /// sets. KEYS: entry, index. ARGV: tag set prefix, member. Returns 1 when the entry existed.
    /// </summary>
    public const string Remove = ForgetFunction + """
        forget(ARGV[2], KEYS[2], ARGV[1])
        return redis.call('UNLINK', KEYS[1])
        """;

    /// <summary>The refresh of a sliding entry. KEYS: entry. ARGV: expected header bytes or empty. Returns 1 when extended.</summary>
    public const string ExtendSliding = ExtendFunction + """
        return extend(KEYS[1], redis.call('GETRANGE', KEYS[1], 0, 17), ARGV[1])
        """;

    /// <summary>
    /// A Get of an entry last seen sliding, read by nobody else in this process at the moment (see
    /// <see cref="SlidingReads"/>): reads it and extends it in one step, so the Get is one command rather than a
    /// <c>GET</c> and the refresh sent after it. Extends whatever entry it read, by that entry's own header: nothing
    /// when it does not slide. KEYS: entry. Returns the stored bytes, or nil on a miss.
    /// </summary>
    public const string GetSliding = ExtendFunction + """
        local stored = redis.call('GET', KEYS[1])
        if not stored then return false end
        extend(KEYS[1], stored, '')
        return stored
        """;

    /// <summary>
    /// A Get that also returns the remaining TTL (PTTL, after extending a sliding entry), atomically.
    /// KEYS: entry. Returns nil on a miss, else { stored bytes, PTTL ms (-1 = no TTL) }.
    /// </summary>
    public const string GetWithTimeToLive = ExtendFunction + """
        local stored = redis.call('GET', KEYS[1])
        if not stored then return false end
        extend(KEYS[1], stored, '')
        return { stored, redis.call('PTTL', KEYS[1]) }
        """;
}
