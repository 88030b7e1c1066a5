using StackExchange.Redis;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// The listener's subscription to <c>__keyevent@db__:expired</c> and <c>:evicted</c>. The client resubscribes by
/// itself after its subscription connection comes back; <c>onReconnected</c> then lets the owner repair what was
/// missed while it was down (notifications are not queued for absent subscribers).
/// </summary>
internal sealed class KeyspaceSubscription : IDisposable
{
    private readonly IConnectionMultiplexer _multiplexer;
    private readonly RedisChannel[] _channels;
    private readonly Action<RedisChannel, RedisValue> _handler;
    private readonly EventHandler<ConnectionFailedEventArgs> _restored;
    private readonly TimeSpan _timeout;

    private KeyspaceSubscription(IConnectionMultiplexer multiplexer, int database, TimeSpan timeout, Action<string> onRemoved, Action<bool> onReconnected)
    {
        _multiplexer = multiplexer;
        _timeout = timeout;
        _channels =
        [
            new RedisChannel($"__keyevent@{database}__:expired", RedisChannel.PatternMode.Literal),
            new RedisChannel($"__keyevent@{database}__:evicted", RedisChannel.PatternMode.Literal),
        ];
        _handler = (_, key) => onRemoved(key!);
        _restored = (_, args) => onReconnected(args.ConnectionType == ConnectionType.Subscription);
    }

    /// <summary>
    /// Watches for connections coming back and subscribes; <paramref name="onRemoved"/> gets each expired or evicted
    /// key's name, on the client's thread. <paramref name="onReconnected"/> is told whether the connection restored
    /// was the subscription's. Each subscribe waits at most <c>timeout</c>. When Redis is unreachable the subscribe fails (the client would otherwise accept it
    /// without any server); the owner calls <see cref="TrySubscribeAsync"/> again after a reconnect.
    /// </summary>
    public static KeyspaceSubscription Start(IConnectionMultiplexer multiplexer, int database, TimeSpan timeout, Action<string> onRemoved,
        Action<bool> onReconnected)
    {
        var subscription = new KeyspaceSubscription(multiplexer, database, timeout, onRemoved, onReconnected);
        multiplexer.ConnectionRestored += subscription._restored;
        return subscription;
    }

    /// <summary>True once subscribed; the client then resubscribes by itself after every reconnect.</summary>
    public bool IsSubscribed { get; private set; }

    public async Task TrySubscribeAsync()
    {
        if (IsSubscribed)
        {
            return;
        }

        var subscriber = _multiplexer.GetSubscriber();
        try
        {
            foreach (var channel in _channels)
            {
                await subscriber.SubscribeAsync(channel, _handler).Within(_timeout).ConfigureAwait(false);

                // With no server connected the client completes the subscribe without sending it, and later
                // reconnects would not send it either: only a subscription a server holds counts.
                if (subscriber.SubscribedEndpoint(channel) is null)
                {
                    throw new InvalidOperationException(
                        $"Subscribing to {channel} reached no Redis server; retried when a connection is restored.");
                }
            }

            IsSubscribed = true;
        }
        catch
        {
            // The client may have kept the handler although SUBSCRIBE failed; drop it so a retry does not add it twice.
            Unsubscribe();
            throw;
        }
    }

    public void Dispose()
    {
        _multiplexer.ConnectionRestored -= _restored;
        Unsubscribe();
    }

    private void Unsubscribe()
    {
        try
        {
            var subscriber = _multiplexer.GetSubscriber();
            foreach (var channel in _channels)
            {
                // Only our handler: an app-supplied multiplexer may carry the app's own subscriptions.
                subscriber.Unsubscribe(channel, _handler, CommandFlags.FireAndForget);
            }
        }
        catch (Exception exception) when (exception is ObjectDisposedException or RedisException or NullReferenceException)
        {
            // The multiplexer went first, or was never connected (StackExchange.Redis 1.2.6 threw
            // NullReferenceException from its unsubscribe path then): either way no server subscription is left to end.
        }
    }
}
