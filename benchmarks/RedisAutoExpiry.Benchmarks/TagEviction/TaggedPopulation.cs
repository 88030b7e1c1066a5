using Microsoft.Extensions.Caching.Distributed;

namespace RedisAutoExpiry.Benchmarks.TagEviction;

/// <summary>
/// The entries evicted in each run, written through the cache so tag sets and indexes are exactly what production
/// writes. Every entry carries the evicted tag and one of 100 group tags, so an eviction also has to take each entry
/// out of a second tag set (1,000 members each), as it would for real entries with several tags.
/// </summary>
internal static class TaggedPopulation
{
    public const string EvictedTag = "big";
    public const int Groups = 100;
    public const int ValueSize = 100;

    // Many writes in flight at once: one awaited caller would take ~100,000 round trips.
    private const int Callers = 64;

    private static readonly DistributedCacheEntryOptions Options = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };

    /// <summary>Prefix of the entries' keys; "item:*" matches them all.</summary>
    public const string KeyPrefix = "item:";

    public static async Task FillAsync(RedisAutoExpiryCache cache, int members)
    {
        var value = new byte[ValueSize];
        Random.Shared.NextBytes(value);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < members)
            {
                await cache.SetAsync(KeyPrefix + i, value, Options, [EvictedTag, $"group:{i % Groups}"]).ConfigureAwait(false);
            }
        }));
    }
}
