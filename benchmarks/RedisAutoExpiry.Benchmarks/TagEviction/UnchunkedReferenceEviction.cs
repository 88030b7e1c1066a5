using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks.TagEviction;

/// <summary>
/// REFERENCE ONLY, not the library's eviction: the naive, unchunked way, one script that deletes the whole tag in one
/// go. It is here to show what chunking avoids: Redis runs nothing else until the script ends. It does less work than
/// the library (it leaves the entries in their other tag sets), so its SLOWLOG time is a lower bound for an
/// unchunked eviction.
/// </summary>
internal static class UnchunkedReferenceEviction
{
    /// <summary>KEYS: tag set. ARGV: entry prefix, index prefix. Returns the members found.</summary>
    public const string Script = """
        -- reference: unchunked one-shot eviction
        local members = redis.call('SMEMBERS', KEYS[1])
        for _, member in ipairs(members) do
          redis.call('UNLINK', ARGV[1] .. member, ARGV[2] .. member)
        end
        redis.call('DEL', KEYS[1])
        return #members
        """;

    public static async Task<long> EvictAsync(IDatabase database, string tagSetKey, string entryPrefix, string indexPrefix) =>
        (long)await database.ScriptEvaluateAsync(Script, [tagSetKey], [entryPrefix, indexPrefix]);
}
