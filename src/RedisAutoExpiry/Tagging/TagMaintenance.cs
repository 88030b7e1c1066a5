using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RedisAutoExpiry.Logging;
using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tagging;

/// <summary>
/// Keeps tag sets free of entries Redis expired or evicted: once connected it checks the server's settings, listens
/// to keyspace notifications and runs the repair sweep on its interval; after the listener reconnects it checks again
/// and sweeps at once, since notifications sent while it was away are lost.
/// </summary>
internal sealed class TagMaintenance : IAsyncDisposable
{
    private const int BatchSize = 256;
    private const int QueueCapacity = 100_000;

    private readonly RedisStore _store;
    private readonly RedisAutoExpiryTagOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<string> _removed = Channel.CreateBounded<string>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _running = [];
    private KeyspaceSubscription? _subscription;
    private int _warnedNotifications, _warnedPolicy, _warnedDrops;

    public TagMaintenance(RedisStore store, RedisAutoExpiryTagOptions options, ILogger logger)
    {
        _store = store;
        _options = options;
        _logger = logger;
        Sweeper = new TagSweeper(store, options.SweepInterval);
        store.Connection.Connected += () => Track(Task.Run(StartAsync));
    }

    public TagSweeper Sweeper { get; }

    private async Task StartAsync()
    {
        await CheckServerAsync().ConfigureAwait(false);
        if (_options.ListenForKeyspaceNotifications)
        {
            _subscription = _store.StartKeyspaceSubscription(OnRemoved, () => Track(Task.Run(OnReconnectedAsync)));
            await TrySubscribeAsync().ConfigureAwait(false);
            Track(DrainAsync(_stopping.Token));
        }

        if (_options.SweepInterval != Timeout.InfiniteTimeSpan)
        {
            Track(SweepPeriodicallyAsync(_options.SweepInterval, _stopping.Token));
        }
    }

    private async Task OnReconnectedAsync()
    {
        await CheckServerAsync().ConfigureAwait(false);
        await TrySubscribeAsync().ConfigureAwait(false);
        await TrySweepAsync(force: true).ConfigureAwait(false);
    }

    private async Task TrySubscribeAsync()
    {
        try
        {
            // Null only in the instant between attaching the reconnect handler and keeping the subscription.
            if (_subscription is { } subscription)
            {
                await subscription.TrySubscribeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            Log.ListenerFailed(_logger, exception);
        }
    }

    private async Task CheckServerAsync()
    {
        try
        {
            var check = _options.ListenForKeyspaceNotifications
                ? await _store.EnsureKeyspaceNotificationsAsync(_options.ConfigureKeyspaceNotifications).ConfigureAwait(false)
                : null;
            switch (check?.Status)
            {
                case KeyspaceNotificationStatus.Enabled:
                    Log.KeyspaceNotificationsEnabled(_logger, check.Previous, check.Current);
                    break;
                case KeyspaceNotificationStatus.Missing when Once(ref _warnedNotifications):
                    Log.KeyspaceNotificationsMissing(_logger, check.Current, check.Reason!, check.Current + check.Reason);
                    break;
                case KeyspaceNotificationStatus.Refused when Once(ref _warnedNotifications):
                    Log.KeyspaceNotificationsUnknown(_logger, check.Reason!);
                    break;
            }

            if (await _store.ReadEvictionPolicyAsync().ConfigureAwait(false) is { } policy
                && !EvictionPolicy.KeepsTagSets(policy) && Once(ref _warnedPolicy))
            {
                Log.UnsafeEvictionPolicy(_logger, policy);
            }
        }
        catch (Exception exception)
        {
            Log.ListenerFailed(_logger, exception);
        }
    }

    // On the client's thread: only filter and queue; the batch goes to Redis from DrainAsync.
    private void OnRemoved(string redisKey)
    {
        if (_store.Layout.UserKeyOf(redisKey) is { } key && !_removed.Writer.TryWrite(key)
            && !_stopping.IsCancellationRequested && Once(ref _warnedDrops))
        {
            Log.NotificationsDropped(_logger);
        }
    }

    private async Task DrainAsync(CancellationToken token)
    {
        var batch = new List<string>(BatchSize);
        var reader = _removed.Reader;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (batch.Count < BatchSize && reader.TryRead(out var key))
                {
                    batch.Add(key);
                }

                try
                {
                    await _store.ForgetAsync(batch, token).ConfigureAwait(false);
                }
                catch (Exception exception) when (!token.IsCancellationRequested)
                {
                    Log.TagCleanupFailed(_logger, batch.Count, exception);
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task SweepPeriodicallyAsync(TimeSpan interval, CancellationToken token)
    {
        try
        {
            using var timer = new PeriodicTimer(interval);
            do
            {
                await TrySweepAsync(force: false).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>Runs one sweep now (unless one is running); the periodic loop and reconnects call it, and tests do.</summary>
    public async Task<SweepResult?> TrySweepAsync(bool force)
    {
        try
        {
            var result = await Sweeper.SweepAsync(force, _stopping.Token).ConfigureAwait(false);
            if (result is not null)
            {
                Log.SweepFinished(_logger, result.Tags, result.Removed);
            }

            return result;
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            Log.SweepFailed(_logger, exception);
            return null;
        }
        catch (Exception)
        {
            // Stopping: the cache is being disposed and nobody awaits the result.
            return null;
        }
    }

    private void Track(Task task)
    {
        lock (_running)
        {
            _running.RemoveAll(static done => done.IsCompleted);
            _running.Add(task);
        }
    }

    private static bool Once(ref int flag) => Interlocked.Exchange(ref flag, 1) == 0;

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _removed.Writer.TryComplete();
        _subscription?.Dispose();
        Task[] running;
        lock (_running)
        {
            running = [.. _running];
        }

        // Every loop ends at the cancellation; a script already sent is not waited for beyond a short bound.
        await Task.WhenAny(Task.WhenAll(running), Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
    }
}
