using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tagging;

/// <summary>
/// Evicts a tag page by page. Each page is one script over one SSCAN page of the tag set, so Redis serves other
/// clients between pages. SSCAN returns every member that stays in the set for the whole scan, so every entry that
/// carried the tag when the eviction began is deleted.
/// </summary>
/// <remarks>
/// The first page does the whole job: taking each entry out of its other tag sets and deleting its index. A tag that
/// fits in it (most tags an app evicts per request) is clean when the call returns, at one script's cost. From the
/// second page on, pages delete the entries and their indexes, and taking the entries out of their other tag sets is
/// left to the <see cref="ForgetQueue"/>, right after the eviction, in the background: the caller waits for about two
/// thirds of the Redis time whole-job pages cost, and the cleanup costs a little more than that saved (measured with
/// the benchmarks' tag-eviction: about 10% more Redis time in all). A stale member is harmless meanwhile: an eviction
/// that meets it finds no index and only drops it, and so does the sweep, should the cleanup never come. While the
/// queue is full, pages do the whole job again, so a huge eviction never holds more than the queue's limit of names
/// in memory. Those later pages go two at a time (<see cref="EvictionPages"/>).
/// </remarks>
internal static class TagEviction
{
    /// <summary>
    /// SSCAN COUNT of the pages after the first, for entries with a couple of tags. Those pages go two at a time, so a
    /// reader's command may wait out two of them: 125 entries keep each near a millisecond of Redis time here (250,
    /// the size while pages went one at a time, made readers wait longer; see benchmarks/performance-notes.md).
    /// </summary>
    public const int PageSize = 125;

    /// <summary>
    /// Work (a unit per entry plus one per tag set it leaves) a page aims at: 125 entries with two tags each. Entries
    /// with many tags make each unit of page size dearer, so pages shrink to match.
    /// </summary>
    public const int WorkPerPage = 3 * PageSize;

    public const int MinimumPageSize = 5;

    // The first page is small because nothing is known yet of how many tags the entries carry: 50 entries with 64
    // tags each still make a page of a few milliseconds. From the second page on, the size follows the work measured.
    public const int FirstPageSize = 50;

    public static async Task<long> EvictAsync(RedisStore store, ForgetQueue forget, string tag, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        var pages = new EvictionPages(store, forget, tag, token);
        try
        {
            // The first page is awaited alone: a tag that fits in it (most evictions an app makes per request) costs one
            // script, leaves no cursor key in Redis and never holds the cleanup up.
            var first = await store.EvictPageAsync(tag, "0", FirstPageSize, deferred: false, token).ConfigureAwait(false);
            if (pages.Take(first))
            {
                await pages.RestAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            pages.Dispose();
            store.Metrics.EvictedEntries(pages.Removed); // what earlier pages deleted is gone, even if a later one failed
        }

        store.Metrics.TagEvicted();
        return pages.Removed;
    }

    /// <summary>The size of the page after one that visited <paramref name="members"/> for <paramref name="work"/> units.</summary>
    public static int NextPageSize(long members, long work) =>
        (int)Math.Clamp(WorkPerPage * members / Math.Max(work, 1), MinimumPageSize, PageSize);
}
