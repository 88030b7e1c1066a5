using System.Diagnostics;
using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tagging;

/// <summary>
/// The repair sweep: walks the tag registry and every tag set in SSCAN pages, removing members whose entry no longer
/// exists (their expiry or eviction notification was lost). One process at a time holds a short Redis lock, renewed
/// while it works; a finished sweep leaves the lock as a hold-off so other processes skip the next half interval.
/// </summary>
internal sealed class TagSweeper
{
    /// <summary>Members checked per script call; each is an EXISTS, so a page costs Redis well under a millisecond.</summary>
    public const int PageSize = 200;

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
        var registryCursor = "0";
        do
        {
            (registryCursor, var page) = await _store.RegistryPageAsync(registryCursor, PageSize, token).ConfigureAwait(false);
            foreach (var tag in page)
            {
                var cursor = "0";
                do
                {
                    (cursor, var count) = await _store.SweepPageAsync(tag, cursor, PageSize, token).ConfigureAwait(false);
                    removed += count;
                    if (sinceRenewal.Elapsed > LockLifetime / 3)
                    {
                        if (!await _store.RenewSweepLockAsync(owner, LockLifetime, token).ConfigureAwait(false))
                        {
                            return null;
                        }

                        sinceRenewal.Restart();
                    }
                }
                while (cursor != "0");

                tags++;
            }
        }
        while (registryCursor != "0");

        return new SweepResult(tags, removed);
    }
}
