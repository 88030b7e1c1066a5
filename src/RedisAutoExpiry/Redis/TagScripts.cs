namespace RedisAutoExpiry.Redis;

/// <summary>
/// The scripts that keep tag sets exact: eviction, cleanup after expiry, the repair sweep and its lock. Each does a
/// bounded amount of work (one SSCAN page, or the keys of one batch) so Redis is never blocked for long.
/// </summary>
internal static class TagScripts
{
    /// <summary>How long an eviction's cursor key outlives its last page: an abandoned eviction leaves it no longer.</summary>
    public const int CursorLifetimeMilliseconds = 300_000;

    /// <summary>
    /// Cleanup after keyspace notifications and evictions (<see cref="Tagging.ForgetQueue"/>): each member whose
    /// entry no longer exists leaves every tag set its index lists, and the index goes. An entry written again since
    /// keeps its tags. Like an eviction page, it makes a few calls with many keys each (one MGET of the indexes, one
    /// SREM per tag set, one DEL) rather than several per member. ARGV: entry prefix, index prefix, tag set prefix,
    /// then members. Returns how many had an index.
    /// </summary>
    public const string Forget = GoneFunction + LeavingFunctions + """
        local members = { unpack(ARGV, 4) }
        local gone, all = whichGone(members, ARGV[1])
        local indexes = {}
        for _, member in ipairs(members) do
          if all or gone[member] then indexes[#indexes + 1] = ARGV[2] .. member end
        end
        if #indexes == 0 then return 0 end
        local packed = redis.call('MGET', unpack(indexes))
        local leaving, owned = {}, {}
        for i = 1, #indexes do
          if packed[i] then
            owned[#owned + 1] = indexes[i]
            local member = string.sub(indexes[i], #ARGV[2] + 1)
            for _, tag in ipairs(cmsgpack.unpack(packed[i])) do
              addLeaving(leaving, tag, member)
            end
          end
        end
        leaveAll(leaving, ARGV[3])
        if #owned > 0 then redis.call('DEL', unpack(owned)) end
        return #owned
        """;

    /// <summary>
    /// One page of an eviction: SSCAN the tag set from the cursor; each entry whose index still lists the tag is
    /// deleted (UNLINK) and loses its index. A member whose index does not list the tag (the entry was written again
    /// without it, or is gone) only leaves this set: eviction removes what carries the tag now, not what once did.
    /// Every member visited leaves this set. Who takes the deleted entries out of their other tag sets depends on
    /// ARGV[6]:
    /// <list type="bullet">
    /// <item>'1' (deferred): the caller, later (<see cref="Tagging.ForgetQueue"/> with <see cref="LeaveTagSets"/>): the
    /// page returns each such member with the index it deleted, and does not unpack indexes at all (it walks their
    /// bytes for the tag). Until the cleanup, the other tag sets name a member with no index, which is what the sweep
    /// removes should the cleanup never come (a process stopped, a batch failed). The index goes here, not in the
    /// cleanup, so that no index can outlive every tag set leading to it.</item>
    /// <item>'0' (inline): the page itself.</item>
    /// </list>
    /// KEYS: tag set, and optionally the eviction's cursor key (see <see cref="ReadPage"/>). ARGV: cursor, page size,
    /// entry prefix, index prefix, tag set prefix, deferred ('1'/'0'), the cursor key's lifetime (unused without one). Returns
    /// { next cursor, entries deleted, members visited, work, deferred } where work counts each member once plus once
    /// per tag set an entry deleted left (deferred: once per entry deleted), what the page cost, so the caller can size
    /// the next one; deferred is { member, index, member, index, … } (empty inline) for entries with other tags.
    /// </summary>
    /// <remarks>
    /// A call from Lua costs Redis about a microsecond beyond its work, so the page makes a few calls with many keys
    /// each rather than several per member: one MGET of the indexes, one UNLINK of the entries, one SREM per tag set
    /// (with every member leaving it), one DEL of the indexes. Entries go first: a page stopped halfway leaves stale
    /// memberships (which the sweep removes), never an entry its tag cannot find. Pages stay far below Lua's limit
    /// on unpacked arguments (about 8,000). Leaving the other tag sets and unpacking the indexes are most of an inline
    /// page's cost, which is why the eviction defers them (see <see cref="Tagging.TagEviction"/>).
    /// </remarks>
    public const string EvictPage = CarriesFunction + ListsFunction + LeavingFunctions + ReadPage + """
        if ARGV[6] == '1' then
          local needle = cmsgpack.pack(tag)
          local alone = string.char(0x91) .. needle
          local entries, owned, deferred = {}, {}, {}
          for i = 1, count do
            if lists(packed[i], needle) then
              entries[#entries + 1] = ARGV[3] .. members[i]
              owned[#owned + 1] = indexes[i]
              if packed[i] ~= alone then
                deferred[#deferred + 1] = members[i]
                deferred[#deferred + 1] = packed[i]
              end
            end
          end
          local removed = 0
          if #entries > 0 then removed = redis.call('UNLINK', unpack(entries)) end
          redis.call('SREM', KEYS[1], unpack(members))
          if #owned > 0 then redis.call('DEL', unpack(owned)) end
          keepCursor(page[1])
          return { page[1], removed, count, count + #entries, deferred }
        end
        local entries, owned, leaving, work = {}, {}, {}, count
        for i = 1, count do
          local tags = carries(packed[i], tag)
          if tags then
            entries[#entries + 1] = ARGV[3] .. members[i]
            owned[#owned + 1] = indexes[i]
            for _, other in ipairs(tags) do
              work = work + 1
              if other ~= tag then
                addLeaving(leaving, other, members[i])
              end
            end
          end
        end
        local removed = 0
        if #entries > 0 then removed = redis.call('UNLINK', unpack(entries)) end
        leaveAll(leaving, ARGV[5])
        redis.call('SREM', KEYS[1], unpack(members))
        if #owned > 0 then redis.call('DEL', unpack(owned)) end
        keepCursor(page[1])
        return { page[1], removed, count, work, {} }
        """;

    /// <summary>
    /// The rest of a deferred eviction: takes entries it deleted out of their other tag sets, unless written again
    /// since (a live entry is never taken out of a tag set; if the write dropped a tag, the sweep drops the stale
    /// membership). The caller names the tag sets, from the indexes the eviction read and deleted. ARGV: entry prefix,
    /// tag set prefix, member count, the members, then groups of tag, member count, members. Returns the memberships
    /// removed.
    /// </summary>
    public const string LeaveTagSets = GoneFunction + """
        local m = tonumber(ARGV[3])
        local members = { unpack(ARGV, 4, 3 + m) }
        local gone, all = whichGone(members, ARGV[1])
        local left, i = 0, 4 + m
        while i <= #ARGV do
          local tag, n = ARGV[i], tonumber(ARGV[i + 1])
          if all then
            left = left + redis.call('SREM', ARGV[2] .. tag, unpack(ARGV, i + 2, i + 1 + n))
          else
            local list = {}
            for j = i + 2, i + 1 + n do
              if gone[ARGV[j]] then list[#list + 1] = ARGV[j] end
            end
            if #list > 0 then left = left + redis.call('SREM', ARGV[2] .. tag, unpack(list)) end
          end
          i = i + 2 + n
        end
        return left
        """;

    /// <summary>
    /// One page of the sweep: SSCAN the tag set from the cursor. A member whose index does not list the tag leaves
    /// this set (its entry was written again without it); one whose entry is gone leaves all its tag sets. Same KEYS
    /// and ARGV as <see cref="EvictPage"/>, without a cursor key. Returns { next cursor, members removed, members visited, work }, as
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
    /// With a cursor key (KEYS[2], evictions only) the cursor also lives in Redis between pages, so the next page can be
    /// sent before this one's reply is back: cursor '' means "go on from the cursor key". A page that finds the key
    /// missing (a page before it ended the scan, or the key expired or was deleted) does nothing and answers cursor ''.
    /// <c>keepCursor(next)</c>, the page's last call, leaves the next cursor there for ARGV[7] ms
    /// (<see cref="CursorLifetimeMilliseconds"/>), or deletes the key when the scan ends. Last, because once maxmemory
    /// is reached Redis refuses a script's first command that may add memory, but not one after the script has written:
    /// after the page's deletions the SET goes through, so a full Redis can still be evicted from. Only a page with no
    /// members has written nothing; should its SET be refused, it deletes the key, the page sent after it does nothing,
    /// and the caller goes on from the cursor this page answered.
    /// </summary>
    private const string ReadPage = """
        local function keepCursor(next)
          if not KEYS[2] then return end
          if next ~= '0' and not redis.pcall('SET', KEYS[2], next, 'PX', ARGV[7]).err then return end
          redis.call('DEL', KEYS[2])
        end
        local cursor = ARGV[1]
        if cursor == '' then
          cursor = redis.call('GET', KEYS[2])
          if not cursor then return { '', 0, 0, 0, {} } end
        end
        local page = redis.call('SSCAN', KEYS[1], cursor, 'COUNT', ARGV[2])
        local members = page[2]
        local count = #members
        if count == 0 then
          keepCursor(page[1])
          return { page[1], 0, 0, 0, {} }
        end
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
    /// <c>addLeaving(leaving, tag, member)</c> notes that a member leaves a tag set; <c>leaveAll(leaving, tagSetPrefix)</c>
    /// then sends one SREM per tag set with every member leaving it, rather than one per member.
    /// </summary>
    private const string LeavingFunctions = """
        local function addLeaving(leaving, tag, member)
          local list = leaving[tag]
          if not list then list = {}; leaving[tag] = list end
          list[#list + 1] = member
        end
        local function leaveAll(leaving, tagSetPrefix)
          for tag, list in pairs(leaving) do redis.call('SREM', tagSetPrefix .. tag, unpack(list)) end
        end

        """;

    /// <summary>
    /// <c>whichGone(members, entryPrefix)</c>: which of the members' entries no longer exist, as <c>gone, all</c>:
    /// <c>all</c> is true when none does (one EXISTS with every key, the common case after an expiry or eviction), else
    /// <c>gone</c> holds the members whose entries are gone (one EXISTS each).
    /// </summary>
    private const string GoneFunction = """
        local function whichGone(members, entryPrefix)
          local keys = {}
          for j = 1, #members do keys[j] = entryPrefix .. members[j] end
          if #keys == 0 or redis.call('EXISTS', unpack(keys)) == 0 then return {}, true end
          local gone = {}
          for j = 1, #keys do
            if redis.call('EXISTS', keys[j]) == 0 then gone[members[j]] = true end
          end
          return gone, false
        end

        """;

    /// <summary>
    /// <c>lists(packed, needle)</c>: whether an index as MGET returns it (or false) lists the tag whose MessagePack form
    /// (<c>cmsgpack.pack(tag)</c>, as <see cref="Tagging.TagIndex"/> writes each tag) is <c>needle</c>. Finds the
    /// needle's bytes, then walks the string headers up to where they were found: bytes that only occur inside
    /// another tag (say "big" inside "£big") do not count. Cheaper than unpacking: no Lua table, no string per tag.
    /// </summary>
    private const string ListsFunction = """
        local function lists(packed, needle)
          if not packed then return false end
          local at = string.find(packed, needle, 1, true)
          if not at then return false end
          local first = string.byte(packed, 1)
          local pos = (first == 0xdc and 4) or (first == 0xdd and 6) or 2
          while true do
            while pos < at do
              local h = string.byte(packed, pos)
              if h >= 0xa0 and h <= 0xbf then pos = pos + 1 + h - 0xa0
              elseif h == 0xd9 then pos = pos + 2 + string.byte(packed, pos + 1)
              elseif h == 0xda then
                local b1, b2 = string.byte(packed, pos + 1, pos + 2)
                pos = pos + 3 + b1 * 256 + b2
              else
                local b1, b2, b3, b4 = string.byte(packed, pos + 1, pos + 4)
                pos = pos + 5 + ((b1 * 256 + b2) * 256 + b3) * 256 + b4
              end
            end
            if pos == at then return true end
            at = string.find(packed, needle, at + 1, true)
            if not at then return false end
          end
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
