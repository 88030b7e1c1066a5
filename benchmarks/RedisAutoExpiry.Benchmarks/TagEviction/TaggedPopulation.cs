using Microsoft.Extensions.Caching.Distributed;

namespace RedisAutoExpiry.Benchmarks.TagEviction;

/// <summary>
/// The entries evicted in each run, written through the cache so tag sets and indexes are exactly what production
/// writes. Every entry carries the evicted tag and (by default) one of 100 group tags, so an eviction also has to take
/// each entry out of a second tag set, as it would for real entries with several tags; <c>--tags N</c> gives each
/// entry N tags in all (the evicted one and N − 1 consecutive groups), to see how pages hold up with many tags.
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

    public static async Task FillAsync(RedisAutoExpiryCache cache, int members, int tagsPerEntry)
    {
        var value = new byte[ValueSize];
        Random.Shared.NextBytes(value);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < members)
            {
                var tags = Enumerable.Range(0, tagsPerEntry - 1).Select(j => $"group:{(i + j) % Groups}").Prepend(EvictedTag);
                await cache.SetAsync(KeyPrefix + i, value, Options, tags).ConfigureAwait(false);
            }
        }));
    }
}
