using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tagging;

/// <summary>
/// The pages of one eviction, and what they did. Past the first, two pages are in flight: the SSCAN cursor is kept in a
/// key of the eviction's own between pages (see <see cref="TagScripts.EvictPage"/>), so the next page is sent before
/// the last one's reply is back, and Redis runs it as soon as the last ends rather than sitting idle for a round trip
/// per page (about a fifth of a large eviction's time here). Pages sent on one connection run in the order sent, so each
/// reads the cursor the one before it left.
/// </summary>
internal sealed class EvictionPages(RedisStore store, ForgetQueue forget, string tag, CancellationToken token) : IDisposable
{
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

        // The first of these names its cursor; the one sent ahead of it goes on from the key it leaves.
        var current = Send(_cursor);
        Task<TagSetPage>? ahead = Send(string.Empty);
        try
        {
            while (true)
            {
                var page = await current.ConfigureAwait(false);
                if (page.Cursor.Length == 0)
                {
                    // The cursor key was gone (expired, or deleted by someone else), so the page sent ahead finds none
                    // either: go on from the cursor the last reply named, which is exact.
                    Abandon(ahead);
                    ahead = null;
                    current = Send(_cursor);
                    continue;
                }

                if (!Take(page))
                {
                    return; // the page sent ahead finds the cursor key deleted and does nothing
                }

                token.ThrowIfCancellationRequested();
                current = ahead ?? Send(string.Empty);
                ahead = Send(string.Empty);
            }
        }
        finally
        {
            Abandon(ahead);
        }
    }

    public void Dispose() => _running?.Dispose();

    private Task<TagSetPage> Send(string cursor) =>
        store.EvictPageAsync(tag, cursor, _pageSize, forget.HasRoomForEvicted(2 * _pageSize), token, _cursorKey);

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
