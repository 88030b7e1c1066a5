using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tagging;

/// <summary>
/// Evicts a tag page by page. Each page is one script over one SSCAN page of the tag set, so Redis serves other
/// clients between pages. SSCAN returns every member that stays in the set for the whole scan, so every entry that
/// carried the tag when the eviction began is deleted. The scan's cursor is kept in a key of the eviction's own
/// between pages, so the next page is sent before the last one's reply is back (see TagScripts.ReadPage).
/// </summary>
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

    public static async Task<long> EvictAsync(RedisStore store, string tag, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        long removed = 0;
        var cursorKey = store.Layout.NewEvictionCursor();
        var cursor = "0";
        var pageSize = FirstPageSize;
        Task<TagSetPage>? ahead = null;
        try
        {
            // The first page names its cursor, and its reply is awaited before the next page goes out: once connected,
            // pages reach Redis in the order they are sent.
            var current = store.EvictPageAsync(tag, cursor, pageSize, token, cursorKey);
            while (true)
            {
                TagSetPage page;
                try
                {
                    page = await current.ConfigureAwait(false);
                }
                catch
                {
                    Abandon(ahead);
                    throw;
                }

                if (page.Cursor.Length == 0)
                {
                    // The cursor key was gone (expired, or deleted by someone else): the page sent ahead finds none either.
                    // Go on from the cursor the last reply named, which is exact.
                    Abandon(ahead);
                    ahead = null;
                    current = store.EvictPageAsync(tag, cursor, pageSize, token, cursorKey);
                    continue;
                }

                removed += page.Count;
                cursor = page.Cursor;
                if (page.Members > 0)
                {
                    pageSize = (int)Math.Clamp(WorkPerPage * page.Members / Math.Max(page.Work, 1), MinimumPageSize, PageSize);
                }

                if (cursor == "0")
                {
                    break; // the page sent ahead, if any, finds the cursor key deleted and does nothing
                }

                token.ThrowIfCancellationRequested();

                // Two pages in flight: Redis runs the next one as soon as this one ends, reading the cursor it left,
                // rather than sitting idle for a round trip (about 1 ms here, a third of an eviction's time) per page.
                current = ahead ?? store.EvictPageAsync(tag, string.Empty, pageSize, token, cursorKey);
                ahead = store.EvictPageAsync(tag, string.Empty, pageSize, token, cursorKey);
            }

            Abandon(ahead);
        }
        finally
        {
            store.Metrics.EvictedEntries(removed); // what earlier pages deleted is gone, even if a later one failed
        }

        store.Metrics.TagEvicted();
        return removed;
    }

    // A page no longer waited for: its failure, if any, must still be observed.
    private static void Abandon(Task? page)
    {
        if (page is { IsCompleted: true })
        {
            _ = page.Exception;
        }
        else if (page is not null)
        {
            TaskBounds.ObserveIfAbandoned(page);
        }
    }
}
