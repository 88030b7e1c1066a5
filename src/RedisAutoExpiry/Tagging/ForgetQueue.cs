using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RedisAutoExpiry.Logging;
using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tagging;

/// <summary>
/// Entries whose tag sets still name them though they are gone: keys Redis reported expired or evicted, and entries
/// an eviction deleted without leaving their other tag sets (see <see cref="TagEviction"/>). One loop takes them out
/// in batches, in the background, one script at a time; a key written again since keeps its tags. What a failed batch
/// or a stopping process leaves behind, the sweep removes.
/// </summary>
/// <remarks>
/// While an eviction of more than one page runs, the loop waits (up to <see cref="MaxYield"/> per batch, and only
/// while the queue has room for evictions): its batches would otherwise compete with the eviction's pages for Redis
/// and slow the eviction down by as much as deferring saved (measured with the benchmarks' tag-eviction: without the
/// wait, evicting 100,000 entries took longer than doing the whole job in the pages). Evictions of one page, which
/// defer nothing, do not count, so a stream of small evictions never holds the cleanup of notifications up.
/// </remarks>
internal sealed class ForgetQueue : IAsyncDisposable
{
    /// <summary>Work per batch (a unit per entry plus one per tag set named), about an eviction page's: ~2 ms of Redis time.</summary>
    private const int BatchWork = 768;

    /// <summary>Entries queued at most (a few tens of MB); notifications past it are left to the sweep.</summary>
    public const int Capacity = 250_000;

    /// <summary>
    /// Entries evictions may leave queued: the rest of <see cref="Capacity"/> stays free for notifications, which
    /// cannot wait. An eviction that finds no room cleans up in its own pages instead.
    /// </summary>
    public const int EvictionLimit = 200_000;

    /// <summary>How long one batch waits at most for evictions to finish; notifications are not held up longer.</summary>
    private static readonly TimeSpan MaxYield = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan YieldPoll = TimeSpan.FromMilliseconds(2);

    private readonly RedisStore _store;
    private readonly ILogger _logger;
    private readonly Channel<ForgetItem> _items = Channel.CreateUnbounded<ForgetItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _draining;
    private int _pending;
    private int _evictions;
    private int _disposed;

    public ForgetQueue(RedisStore store, ILogger logger)
    {
        _store = store;
        _logger = logger;
        _draining = Task.Run(() => DrainAsync(_stopping.Token));
    }

    /// <summary>Entries queued and not yet taken out (a batch in flight counts until it returns).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Queues one key; false when the queue is full or stopping.</summary>
    public bool TryAdd(string key)
    {
        if (!Reserve(1, Capacity))
        {
            return false;
        }

        if (!_items.Writer.TryWrite(new ForgetItem(key, null))) // unbounded: fails only once stopping; the sweep has it
        {
            Interlocked.Decrement(ref _pending);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Queues an eviction page's members. The page asked <see cref="HasRoomForEvicted"/> first; only notifications
    /// that filled the queue's last <see cref="Capacity"/> − <see cref="EvictionLimit"/> places since can leave no
    /// room, and then the members are left to the sweep (logged).
    /// </summary>
    public void AddEvicted(IReadOnlyList<ForgetItem> items)
    {
        if (!Reserve(items.Count, Capacity))
        {
            if (!_stopping.IsCancellationRequested)
            {
                Log.CleanupQueueFull(_logger, items.Count);
            }

            return;
        }

        foreach (var item in items)
        {
            if (!_items.Writer.TryWrite(item)) // stopping: the sweep has the rest
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    /// <summary>Whether an eviction page of <paramref name="count"/> members could be queued now.</summary>
    public bool HasRoomForEvicted(int count) => Pending + count <= EvictionLimit && !_stopping.IsCancellationRequested;

    /// <summary>Marks an eviction as running until the result is disposed; the loop waits for it (see remarks).</summary>
    public EvictionScope EnterEviction()
    {
        Interlocked.Increment(ref _evictions);
        return new EvictionScope(this);
    }

    /// <summary>Ends what <see cref="EnterEviction"/> began.</summary>
    internal void ExitEviction() => Interlocked.Decrement(ref _evictions);

    private bool Reserve(int count, int limit)
    {
        if (Interlocked.Add(ref _pending, count) <= limit && !_stopping.IsCancellationRequested)
        {
            return true;
        }

        Interlocked.Add(ref _pending, -count);
        return false;
    }

    private async Task DrainAsync(CancellationToken token)
    {
        var keys = new List<string>();
        var evicted = new List<ForgetItem>();
        var reader = _items.Reader;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                await YieldToEvictionsAsync(token).ConfigureAwait(false);
                // An index's length is about the bytes of its tags: a unit per 16 stands for the tag sets it names.
                for (var work = 0; work < BatchWork && reader.TryRead(out var item); work += 1 + ((item.Index?.Length ?? 16) + 15) / 16)
                {
                    if (item.Index is null)
                    {
                        keys.Add(item.Member);
                    }
                    else
                    {
                        evicted.Add(item);
                    }
                }

                await SendAsync(keys, evicted, token).ConfigureAwait(false);
                Interlocked.Add(ref _pending, -(keys.Count + evicted.Count));
                keys.Clear();
                evicted.Clear();
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // Stopping; whatever is still queued is the sweep's.
        }
    }

    // Each half of a batch on its own: a failed one is logged and left to the sweep, and the other still goes.
    private async Task SendAsync(List<string> keys, List<ForgetItem> evicted, CancellationToken token)
    {
        if (keys.Count > 0)
        {
            await SendAsync(keys.Count, () => _store.ForgetAsync(keys, token), token).ConfigureAwait(false);
        }

        if (evicted.Count > 0)
        {
            await SendAsync(evicted.Count, () => _store.LeaveTagSetsAsync(evicted, token), token).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(int count, Func<Task<long>> send, CancellationToken token)
    {
        try
        {
            await send().ConfigureAwait(false);
        }
        catch (Exception exception) when (!token.IsCancellationRequested)
        {
            Log.TagCleanupFailed(_logger, count, exception);
        }
    }

    private async Task YieldToEvictionsAsync(CancellationToken token)
    {
        var started = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _evictions) > 0 && Pending < EvictionLimit && Stopwatch.GetElapsedTime(started) < MaxYield)
        {
            await Task.Delay(YieldPoll, token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Lets what is queued go out for up to two seconds (an app that evicts, then stops, leaves its tag sets clean), then
    /// cancels the batch in flight; what is left is the sweep's.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _items.Writer.TryComplete();
        await Task.WhenAny(_draining, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAny(_draining, Task.Delay(TimeSpan.FromMilliseconds(200))).ConfigureAwait(false);
        _stopping.Dispose(); // cancelled already: whatever still holds its token only sees it cancelled
    }
}
