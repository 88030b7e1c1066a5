using System.Net;
using System.Reflection;
using RedisAutoExpiry.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Resilience;

/// <summary>
/// A command the client fails with an exception of its own plumbing rather than a RedisException (StackExchange.Redis
/// 2.x does, "Writing is not allowed after writer was completed", when a connection closes under a write; seen once in
/// a suite run while a test stopped its redis-server). No Redis behaviour is claimed: the client below is a stand-in
/// that fails every read that way, to check how the cache classifies the failure.
/// </summary>
public sealed class ClientFaultTests
{
    [Fact]
    public async Task AClientPlumbingFault_IsAConnectionFailure_ThatCountsTowardsTheBreaker()
    {
        await using var cache = CacheOn(failOpen: false, breakAfter: 2);

        var first = await Assert.ThrowsAsync<RedisConnectionException>(() => cache.GetAsync("entry"));
        Assert.IsType<InvalidOperationException>(first.InnerException);
        await Assert.ThrowsAsync<RedisConnectionException>(() => cache.GetAsync("entry"));
        await Assert.ThrowsAsync<RedisUnavailableException>(() => cache.GetAsync("entry")); // the breaker opened after two
    }

    [Fact]
    public async Task WithFailOpen_AClientPlumbingFault_IsAMiss()
    {
        await using var cache = CacheOn(failOpen: true, breakAfter: 5);

        Assert.Null(await cache.GetAsync("entry"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ACommandTheClientCancelsItself_IsAConnectionFailure_ThatCountsTowardsTheBreaker(bool withToken)
    {
        await using var cache = CacheOn(failOpen: false, breakAfter: 2, CancelledByTheClient);
        using var live = new CancellationTokenSource(); // a token that can fire takes the other wait (the runtime's)
        var token = withToken ? live.Token : CancellationToken.None;

        var first = await Assert.ThrowsAsync<RedisConnectionException>(() => cache.GetAsync("entry", token));
        Assert.IsAssignableFrom<OperationCanceledException>(first.InnerException);
        await Assert.ThrowsAsync<RedisConnectionException>(() => cache.GetAsync("entry", token));
        await Assert.ThrowsAsync<RedisUnavailableException>(() => cache.GetAsync("entry", token));
    }

    [Fact]
    public async Task WithFailOpen_ACommandTheClientCancelsItself_IsAMiss()
    {
        await using var cache = CacheOn(failOpen: true, breakAfter: 5, CancelledByTheClient);

        Assert.Null(await cache.GetAsync("entry"));
    }

    private static Task<RedisValue> CancelledByTheClient() => Task.FromCanceled<RedisValue>(new CancellationToken(canceled: true));

    private static RedisAutoExpiryCache CacheOn(bool failOpen, int breakAfter, Func<Task<RedisValue>>? read = null)
    {
        var multiplexer = FaultyClient.Create<IConnectionMultiplexer>(read);
        return new RedisAutoExpiryCache(new RedisAutoExpiryCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult(multiplexer),
            DefaultEntryOptions = OneMinute,
            Resilience = { FailOpen = failOpen, BreakAfterFailures = breakAfter },
            Tags = { ListenForKeyspaceNotifications = false, SweepInterval = Timeout.InfiniteTimeSpan },
        });
    }

    /// <summary>
    /// Any StackExchange.Redis interface: a database's async reads fail with the client's plumbing exception (or as
    /// the given read does); the multiplexer hands out such a database, reports itself disconnected and lists no
    /// endpoints.
    /// </summary>
    public class FaultyClient : DispatchProxy
    {
        private Func<Task<RedisValue>>? _read;

        public static T Create<T>(Func<Task<RedisValue>>? read = null) where T : class
        {
            var client = Create<T, FaultyClient>();
            ((FaultyClient)(object)client)._read = read;
            return client;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            var returns = method!.ReturnType;
            if (method.Name == nameof(IConnectionMultiplexer.GetDatabase))
            {
                return Create<IDatabase>(_read);
            }

            if (returns == typeof(Task<RedisValue>))
            {
                return _read?.Invoke()
                    ?? Task.FromException<RedisValue>(new InvalidOperationException("Writing is not allowed after writer was completed."));
            }

            if (returns == typeof(EndPoint[]))
            {
                return Array.Empty<EndPoint>();
            }

            return returns.IsValueType && returns != typeof(void) ? Activator.CreateInstance(returns) : null;
        }
    }
}
