using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tagging;

/// <summary>
/// The pages of one eviction, and what they did. Past the first, two pages are in flight: the SSCAN cursor is kept in a
/// key of the eviction's own between pages (see <see cref="TagScripts.EvictPage"/>), so the next page is sent before
/// the last one's reply is back, and Redis runs it as soon as the last ends rather than sitting idle for a round trip
/// per page (about a fifth of a large eviction's time here). Each page reads the cursor the page that ran before it
/// left, so the scan is exact whatever order the pages run in; the order only matters to the count, so every page's
/// reply is waited for and counted, even after one has said the scan is over.
/// </summary>
internal sealed class EvictionPages(RedisStore store, ForgetQueue forget, string tag, CancellationToken token) : IDisposable
{
    private const int InFlight = 2;

    private readonly string _cursorKey = store.Layout.NewEvictionCursor();
    private EvictionScope? _running;
    private string _cursor = "0";
    private int _pageSize = TagEviction.FirstPageSize;

    /// <summary>Entries the pages taken so far deleted.</summary>
    public long Removed { get; private set; }

    /// <summary>Counts what a page did; true while the scan goes on.</summary>
    public bool Take(TagSetPage page)
    {
        Removed += page.Count;
        if (page.Deferred.Length > 0)
        {
            forget.AddEvicted(page.Deferred);
        }

        if (page.Members > 0)
        {
            _pageSize = TagEviction.NextPageSize(page.Members, page.Work);
        }

        _cursor = page.Cursor;
        return _cursor != "0";
    }

    /// <summary>The pages after the first, from the cursor it named.</summary>
    public async Task RestAsync()
    {
        // From here on the cleanup waits for this eviction (see ForgetQueue), so the pages can defer to it.
        _running ??= forget.EnterEviction();

        // The first of these names its cursor; the ones after it go on from the key each page leaves.
        var pages = new Queue<Task<TagSetPage>>(InFlight);
        pages.Enqueue(Send(_cursor));
        var ended = false; // a page said the scan is over
        var lost = false; // a page found no cursor key
        try
        {
            while (pages.Count > 0)
            {
                if (!ended && !lost && pages.Count < InFlight)
                {
                    pages.Enqueue(Send(string.Empty));
                }

                TagSetPage page;
                try
                {
                    page = await pages.Dequeue().ConfigureAwait(false);
                }
                catch (Exception) when (ended)
                {
                    // The scan is over: a page sent ahead that timed out or was cancelled changes nothing the caller
                    // waits for (its failure is counted where it was sent, and awaiting it observed it).
                    continue;
                }

                if (page.Cursor.Length == 0)
                {
                    // No cursor key: a page that ran before this one ended the scan (a page sent again after NOSCRIPT
                    // can run out of order, so it may still be in flight), or the key was deleted or expired.
                    lost = true;
                }
                else
                {
                    ended |= !Take(page);
                }

                if (ended)
                {
                    continue; // pages still in flight may have run before the last one, so they count too
                }

                token.ThrowIfCancellationRequested();
                if (lost && pages.Count == 0)
                {
                    // Every page in flight found no key and none ended the scan: go on from the cursor the last reply
                    // named, which is exact.
                    lost = false;
                    pages.Enqueue(Send(_cursor));
                }
            }
        }
        finally
        {
            while (pages.Count > 0)
            {
                TaskBounds.ObserveIfAbandoned(pages.Dequeue()); // a page no longer waited for may still fail
            }
        }
    }

    public void Dispose() => _running?.Dispose();

    private Task<TagSetPage> Send(string cursor) =>
        store.EvictPageAsync(tag, cursor, _pageSize, forget.HasRoomForEvicted(InFlight * _pageSize), token, _cursorKey);
}
