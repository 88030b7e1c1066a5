using System.Diagnostics;
using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tagging;

/// <summary>
/// The repair sweep: finds tag sets with SCAN pages and walks each in SSCAN pages, removing members whose entry no longer
/// exists (their expiry or eviction notification was lost). One process at a time holds a short Redis lock, renewed
/// while it works; a finished sweep leaves the lock as a hold-off so other processes skip the next half interval.
/// </summary>
internal sealed class TagSweeper
{
    /// <summary>Members checked per script call; each is an EXISTS, so a page costs Redis well under a millisecond.</summary>
    private const int PageSize = 200;

    /// <summary>Keys visited per SCAN page while looking for tag sets.</summary>
    private const int ScanPageSize = 1000;

    private static readonly TimeSpan LockLifetime = TimeSpan.FromSeconds(15);

    private readonly RedisStore _store;
    private readonly TimeSpan _holdOff;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public TagSweeper(RedisStore store, TimeSpan interval)
    {
        _store = store;
        _holdOff = interval == Timeout.InfiniteTimeSpan ? TimeSpan.FromMilliseconds(1) : interval / 2;
    }

    /// <summary>
    /// Sweeps unless another sweep runs (here or elsewhere) or, unless <paramref name="force"/>, one finished within
    /// the hold-off. Returns what it did, or null when it did not run.
    /// </summary>
    public async Task<SweepResult?> SweepAsync(bool force, CancellationToken token)
    {
        if (!await _oneAtATime.WaitAsync(0, token).ConfigureAwait(false))
        {
            return null;
        }

        try
        {
            var owner = Guid.NewGuid().ToString("N");
            if (!await _store.TakeSweepLockAsync(owner, LockLifetime, force, token).ConfigureAwait(false))
            {
                return null;
            }

            var result = await SweepHoldingLockAsync(owner, token).ConfigureAwait(false);
            if (result is not null)
            {
                await _store.FinishSweepLockAsync(owner, _holdOff, token).ConfigureAwait(false);
            }

            return result;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    // Returns null when the lock was lost (a pause longer than its lifetime): another process may be sweeping now.
    private async Task<SweepResult?> SweepHoldingLockAsync(string owner, CancellationToken token)
    {
        long tags = 0, removed = 0;
        var sinceRenewal = Stopwatch.StartNew();
        var scanCursor = "0";
        do
        {
            (scanCursor, var tagSets) = await _store.TagSetScanPageAsync(scanCursor, ScanPageSize, token).ConfigureAwait(false);
            foreach (var tagSet in tagSets)
            {
                var cursor = "0";
                do
                {
                    var page = await _store.SweepPageAsync(tagSet, cursor, PageSize, token).ConfigureAwait(false);
                    cursor = page.Cursor;
                    removed += page.Count;
                    if (!await KeepLockAsync().ConfigureAwait(false))
                    {
                        return null;
                    }
                }
                while (cursor != "0");

                tags++;
            }

            if (!await KeepLockAsync().ConfigureAwait(false))
            {
                return null;
            }
        }
        while (scanCursor != "0");

        return new SweepResult(tags, removed);

        async Task<bool> KeepLockAsync()
        {
            if (sinceRenewal.Elapsed < LockLifetime / 3)
            {
                return true;
            }

            sinceRenewal.Restart();
            return await _store.RenewSweepLockAsync(owner, LockLifetime, token).ConfigureAwait(false);
        }
    }
}
