namespace RedisAutoExpiry.Redis;

/// <summary>
/// The scripts that keep tag sets exact: eviction, cleanup after expiry, the repair sweep and its lock. Each does a
/// bounded amount of work (one SSCAN page, or the keys of one batch) so Redis is never blocked for long.
/// </summary>
internal static class TagScripts
{
    /// <summary>
    /// Cleanup after keyspace notifications: for each member whose entry no longer exists, takes it out of its tag
    /// sets. An entry written again since the event keeps its tags. ARGV: entry prefix, index prefix, tag set prefix,
    /// then members. Returns how many were taken out.
    /// </summary>
    public const string Forget = LuaScripts.ForgetFunction + """
        local forgotten = 0
        for i = 4, #ARGV do
          local member = ARGV[i]
          if redis.call('EXISTS', ARGV[1] .. member) == 0 and forget(member, ARGV[2] .. member, ARGV[3]) > 0 then
            forgotten = forgotten + 1
          end
        end
        return forgotten
        """;

    /// <summary>
    /// One page of an eviction: SSCAN the tag set from the cursor; each entry whose index still lists the tag is
    /// deleted (UNLINK), taken out of all its tag sets and loses its index. A member whose index does not list the tag
    /// (the entry was written again without it, or is gone) only leaves this set: eviction removes what carries the tag
    /// now, not what once did. KEYS: tag set. ARGV: cursor, page size, entry prefix, index prefix, tag set prefix.
    /// Returns { next cursor, entries deleted, members visited, work } where work counts each member once plus once
    /// per tag set an entry deleted left: what the page cost, so the caller can size the next one.
    /// </summary>
    /// <remarks>
    /// A call from Lua costs Redis about a microsecond beyond its work, so the page makes a few calls with many keys
    /// each rather than several per member: one MGET of the indexes, one UNLINK of the entries, one SREM per tag set
    /// (with every member leaving it), one DEL of the indexes. Entries go first: a page stopped halfway leaves stale
    /// memberships (which the sweep removes), never an entry its tag cannot find. Pages stay far below Lua's limit
    /// on unpacked arguments (about 8,000).
    /// </remarks>
    public const string EvictPage = CarriesFunction + ReadPage + """
        local entries, owned, leaving, work = {}, {}, {}, count
        for i = 1, count do
          local tags = carries(packed[i], tag)
          if tags then
            entries[#entries + 1] = ARGV[3] .. members[i]
            owned[#owned + 1] = indexes[i]
            for _, other in ipairs(tags) do
              work = work + 1
              if other ~= tag then
                local list = leaving[other]
                if not list then list = {}; leaving[other] = list end
                list[#list + 1] = members[i]
              end
            end
          end
        end
        local removed = 0
        if #entries > 0 then removed = redis.call('UNLINK', unpack(entries)) end
        for other, list in pairs(leaving) do redis.call('SREM', ARGV[5] .. other, unpack(list)) end
        redis.call('SREM', KEYS[1], unpack(members))
        if #owned > 0 then redis.call('DEL', unpack(owned)) end
        return { page[1], removed, count, work }
        """;

    /// <summary>
    /// One page of the sweep: SSCAN the tag set from the cursor. A member whose index does not list the tag leaves
    /// this set (its entry was written again without it); one whose entry is gone leaves all its tag sets. Same KEYS
    /// and ARGV as <see cref="EvictPage"/>. Returns { next cursor, members removed, members visited, work }, as
    /// EvictPage.
    /// </summary>
    public const string SweepPage = LuaScripts.ForgetFunction + CarriesFunction + ReadPage + """
        local stale, removed, work = {}, 0, count
        for i = 1, count do
          if not carries(packed[i], tag) then
            stale[#stale + 1] = members[i]
          elseif redis.call('EXISTS', ARGV[3] .. members[i]) == 0 then
            work = work + forget(members[i], indexes[i], ARGV[5])
            removed = removed + 1
          end
        end
        if #stale > 0 then redis.call('SREM', KEYS[1], unpack(stale)) end
        return { page[1], removed + #stale, count, work }
        """;

    /// <summary>
    /// The start of an eviction or sweep page: one SSCAN page of the tag set (<c>members</c>, <c>count</c>; an empty
    /// page returns at once), the <c>tag</c> the set is for, and one MGET of the members' <c>indexes</c> (<c>packed</c>).
    /// </summary>
    private const string ReadPage = """
        local page = redis.call('SSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
        local members = page[2]
        local count = #members
        if count == 0 then return { page[1], 0, 0, 0 } end
        local tag = string.sub(KEYS[1], #ARGV[5] + 1)
        local indexes = {}
        for i = 1, count do indexes[i] = ARGV[4] .. members[i] end
        local packed = redis.call('MGET', unpack(indexes))

        """;

    /// <summary>
    /// <c>carries(packed, tag)</c>: given an index as MGET returns it (a MessagePack array of tags, or false when the
    /// key is missing), the tags it lists if they include <c>tag</c>, else nil. The index is what says which tags an
    /// entry carries now: an untagged Set drops it without touching the tag sets (see <see cref="PlainWrite"/>), so a
    /// tag set may still name the entry.
    /// </summary>
    private const string CarriesFunction = """
        local function carries(packed, tag)
          if not packed then return nil end
          local tags = cmsgpack.unpack(packed)
          for _, listed in ipairs(tags) do
            if listed == tag then return tags end
          end
          return nil
        end

        """;

    /// <summary>
    /// One page of the keyspace scan that finds tag sets (SCAN MATCH … TYPE set). ARGV: cursor, pattern, page size.
    /// Returns { next cursor, { tag set keys } }.
    /// </summary>
    public const string TagSetScanPage = """
        return redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3], 'TYPE', 'set')
        """;

    /// <summary>
    /// Takes the sweep lock. A lock held by a running sweep is never taken; one left by a finished sweep (value
    /// <c>done:…</c>, kept for half an interval so processes do not repeat each other's sweep) is taken when forced.
    /// KEYS: lock. ARGV: token, lock TTL ms, force (1/0). Returns 1 when taken.
    /// </summary>
    public const string TakeSweepLock = """
        local held = redis.call('GET', KEYS[1])
        if held and not (ARGV[3] == '1' and string.sub(held, 1, 5) == 'done:') then return 0 end
        redis.call('SET', KEYS[1], 'run:' .. ARGV[1], 'PX', ARGV[2])
        return 1
        """;

    /// <summary>Extends the lock while this process still holds it. KEYS: lock. ARGV: token, TTL ms. Returns 1 when held.</summary>
    public const string RenewSweepLock = """
        if redis.call('GET', KEYS[1]) ~= 'run:' .. ARGV[1] then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    /// <summary>Marks the sweep done, keeping the lock as <c>done:…</c> for the hold-off. KEYS: lock. ARGV: token, hold-off ms.</summary>
    public const string FinishSweepLock = """
        if redis.call('GET', KEYS[1]) ~= 'run:' .. ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], 'done:' .. ARGV[1], 'PX', ARGV[2])
        return 1
        """;
}
