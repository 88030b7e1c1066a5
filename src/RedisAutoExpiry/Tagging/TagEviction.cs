using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tagging;

/// <summary>
/// Evicts a tag page by page. Each page is one script over one SSCAN page of the tag set, so Redis runs at most
/// <see cref="PageSize"/> deletions at a time and serves other clients between pages. SSCAN returns every member that
/// stays in the set for the whole scan, so every entry that carried the tag when the eviction began is deleted.
/// </summary>
internal static class TagEviction
{
    /// <summary>SSCAN COUNT per page; see benchmarks/README.md for the longest page it gives.</summary>
    public const int PageSize = 250;

    public static async Task<long> EvictAsync(RedisStore store, string tag, CancellationToken token)
    {
        long removed = 0;
        var cursor = "0";
        do
        {
            token.ThrowIfCancellationRequested();
            (cursor, var count) = await store.EvictPageAsync(tag, cursor, PageSize, token).ConfigureAwait(false);
            removed += count;
        }
        while (cursor != "0");

        return removed;
    }
}
