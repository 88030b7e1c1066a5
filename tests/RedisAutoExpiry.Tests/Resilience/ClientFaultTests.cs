using System.Net;
using System.Reflection;
using Microsoft.Extensions.Caching.Distributed;
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
    private static readonly DistributedCacheEntryOptions OneMinute = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) };

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

    private static RedisAutoExpiryCache CacheOn(bool failOpen, int breakAfter)
    {
        var multiplexer = FaultyClient.Create<IConnectionMultiplexer>();
        return new RedisAutoExpiryCache(new RedisAutoExpiryCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult(multiplexer),
            DefaultEntryOptions = OneMinute,
            Resilience = { FailOpen = failOpen, BreakAfterFailures = breakAfter },
            Tags = { ListenForKeyspaceNotifications = false, SweepInterval = Timeout.InfiniteTimeSpan },
        });
    }

    /// <summary>
    /// Any StackExchange.Redis interface: a database's async reads fail with the client's plumbing exception; the
    /// multiplexer hands out such a database, reports itself disconnected and lists no endpoints.
    /// </summary>
    public class FaultyClient : DispatchProxy
    {
        public static T Create<T>() where T : class => Create<T, FaultyClient>();

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            var returns = method!.ReturnType;
            if (method.Name == nameof(IConnectionMultiplexer.GetDatabase))
            {
                return Create<IDatabase>();
            }

            if (returns == typeof(Task<RedisValue>))
            {
                return Task.FromException<RedisValue>(new InvalidOperationException("Writing is not allowed after writer was completed."));
            }

            if (returns == typeof(EndPoint[]))
            {
                return Array.Empty<EndPoint>();
            }

            return returns.IsValueType && returns != typeof(void) ? Activator.CreateInstance(returns) : null;
        }
    }
}
