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
    private const int ReconnectSweepAttempts = 12;
    private static readonly TimeSpan ReconnectSweepRetry = TimeSpan.FromSeconds(5);

    private readonly RedisStore _store;
    private readonly RedisAutoExpiryTagOptions _options;
    private readonly ILogger _logger;
    private readonly ForgetQueue _forget;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _serverWork = new(1, 1);
    private readonly List<Task> _running = [];
    private readonly TagSweeper _sweeper;
    private KeyspaceSubscription? _subscription;
    private int _warnedNotifications, _warnedPolicy, _warnedDrops;
    private volatile object? _notificationStatus; // a boxed KeyspaceNotificationStatus once the server was checked

    public TagMaintenance(RedisStore store, ForgetQueue forget, RedisAutoExpiryTagOptions options, ILogger logger)
    {
        _store = store;
        _forget = forget;
        _options = options;
        _logger = logger;
        _sweeper = new TagSweeper(store, options.SweepInterval);
        if (!options.ListenForKeyspaceNotifications && options.SweepInterval == Timeout.InfiniteTimeSpan)
        {
            Log.TagMaintenanceOff(logger);
        }

        store.Connection.Connected += () => Track(Task.Run(StartAsync));
    }

    /// <summary>Whether the app asked for the listener (<see cref="RedisAutoExpiryTagOptions.ListenForKeyspaceNotifications"/>).</summary>
    public bool Listens => _options.ListenForKeyspaceNotifications;

    /// <summary>Whether the listener is subscribed right now.</summary>
    public bool IsSubscribed => _subscription?.IsSubscribed == true;

    /// <summary>What the last check of the server's notify-keyspace-events found; null before the first check.</summary>
    public KeyspaceNotificationStatus? NotificationStatus => (KeyspaceNotificationStatus?)_notificationStatus;

    private async Task StartAsync()
    {
        try
        {
            if (_options.ListenForKeyspaceNotifications)
            {
                var subscription = _store.StartKeyspaceSubscription(OnRemoved, subscriptionConnection =>
                    Track(Task.Run(() => OnReconnectedAsync(subscriptionConnection))));
                lock (_running)
                {
                    if (_stopping.IsCancellationRequested)
                    {
                        subscription.Dispose(); // disposed while starting: leave nothing attached to the multiplexer
                        return;
                    }

                    _subscription = subscription;
                }
            }

            await CheckServerAndSubscribeAsync().ConfigureAwait(false);
            if (_options.SweepInterval != Timeout.InfiniteTimeSpan)
            {
                Track(SweepPeriodicallyAsync(_options.SweepInterval, _stopping.Token));
            }
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            Log.ListenerFailed(_logger, exception);
        }
        catch (Exception)
        {
            // Stopping: nobody needs maintenance any more.
        }
    }

    private async Task OnReconnectedAsync(bool subscriptionConnection)
    {
        var subscribedNow = await CheckServerAndSubscribeAsync().ConfigureAwait(false);
        if (!subscriptionConnection && !subscribedNow)
        {
            return;
        }

        // Notifications sent while the listener was away are lost. A sweep already running (here or elsewhere) may
        // have passed the tag sets they concern, so this one is retried until it has run itself.
        for (var attempt = 0; attempt < ReconnectSweepAttempts && !_stopping.IsCancellationRequested; attempt++)
        {
            if (await TrySweepAsync(force: true).ConfigureAwait(false) is not null)
            {
                return;
            }

            try
            {
                await Task.Delay(ReconnectSweepRetry, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // One at a time: start and reconnects may overlap, and a subscribe must not add our handler twice.
    // Returns true when this call established the subscription.
    private async Task<bool> CheckServerAndSubscribeAsync()
    {
        try
        {
            await _serverWork.WaitAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        try
        {
            await CheckServerAsync().ConfigureAwait(false);
            if (_subscription is not { IsSubscribed: false } subscription)
            {
                return false;
            }

            await subscription.TrySubscribeAsync().ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            Log.ListenerFailed(_logger, exception);
            return false;
        }
        catch (Exception)
        {
            return false;
        }
        finally
        {
            _serverWork.Release();
        }
    }

    private async Task CheckServerAsync()
    {
        var check = _options.ListenForKeyspaceNotifications
            ? await _store.EnsureKeyspaceNotificationsAsync(_options.ConfigureKeyspaceNotifications).ConfigureAwait(false)
            : null;
        if (check is not null)
        {
            _notificationStatus = check.Status;
        }

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

    // On the client's thread: only filter and queue; the batch goes to Redis from the forget queue's loop.
    private void OnRemoved(string redisKey)
    {
        if (_store.Layout.UserKeyOf(redisKey) is { } key && !_forget.TryAdd(key)
            && !_stopping.IsCancellationRequested && Once(ref _warnedDrops))
        {
            Log.NotificationsDropped(_logger);
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
            var result = await _sweeper.SweepAsync(force, _stopping.Token).ConfigureAwait(false);
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
        Task[] running;
        lock (_running)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _stopping.Cancel();
            running = [.. _running];
        }

        _subscription?.Dispose();

        // Every loop ends at the cancellation; a script already sent is not waited for beyond a short bound.
        await Task.WhenAny(Task.WhenAll(running), Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
    }
}
