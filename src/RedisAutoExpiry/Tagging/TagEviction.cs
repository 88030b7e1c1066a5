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
/// in memory.
/// </remarks>
internal static class TagEviction
{
    /// <summary>SSCAN COUNT for entries with a couple of tags; see benchmarks/README.md for the longest page it gives.</summary>
    public const int PageSize = 250;

    /// <summary>
    /// Work (a unit per entry plus one per tag set it leaves) a page aims at: 250 entries with two tags each, about
    /// 2-5 ms of Redis time here. Entries with many tags make each unit of page size dearer, so pages shrink to match.
    /// </summary>
    private const int WorkPerPage = 3 * PageSize;

    private const int MinimumPageSize = 5;

    // The first page is small because nothing is known yet of how many tags the entries carry: 50 entries with 64
    // tags each still make a page of a few milliseconds. From the second page on, the size follows the work measured.
    private const int FirstPageSize = 50;

    public static async Task<long> EvictAsync(RedisStore store, ForgetQueue forget, string tag, CancellationToken token)
    {
        long removed = 0;
        var cursor = "0";
        var pageSize = FirstPageSize;
        EvictionScope? running = null;
        try
        {
            do
            {
                token.ThrowIfCancellationRequested();
                var deferred = cursor != "0" && forget.HasRoomForEvicted(pageSize);
                var page = await store.EvictPageAsync(tag, cursor, pageSize, deferred, token).ConfigureAwait(false);
                removed += page.Count;
                if (page.Deferred.Length > 0)
                {
                    forget.AddEvicted(page.Deferred);
                }

                cursor = page.Cursor;

                // Past its first page an eviction defers: from now on the cleanup waits for it. A tag that fits in one
                // page (most evictions an app makes per request) never holds the cleanup up.
                if (cursor != "0")
                {
                    running ??= forget.EnterEviction();
                }

                if (page.Members > 0)
                {
                    pageSize = (int)Math.Clamp(WorkPerPage * page.Members / Math.Max(page.Work, 1), MinimumPageSize, PageSize);
                }
            }
            while (cursor != "0");
        }
        finally
        {
            running?.Dispose();
            store.Metrics.EvictedEntries(removed); // what earlier pages deleted is gone, even if a later one failed
        }

        store.Metrics.TagEvicted();
        return removed;
    }
}
