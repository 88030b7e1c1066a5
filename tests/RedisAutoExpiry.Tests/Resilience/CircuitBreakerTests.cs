using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RedisAutoExpiry.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Resilience;

public sealed class CircuitBreakerTests : ResilienceTestBase
{
    private const int Opened = 24, Closed = 26;

    [Fact]
    public async Task RepeatedTimeouts_OpenTheBreaker_SoCallsFailAtOnce_UntilRedisAnswersAgain()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = await ConnectedCacheAsync(redis, timeoutMs: 150, breakAfter: 3);
        await PauseAsync(redis, 1500);
        var paused = Stopwatch.StartNew();

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync("entry"));
        }

        var clock = Stopwatch.StartNew();
        var refused = await Assert.ThrowsAsync<RedisUnavailableException>(() => cache.GetAsync("entry"));
        for (var i = 0; i < 10; i++)
        {
            Assert.Throws<RedisUnavailableException>(() => cache.Set("entry", [2], OneMinute));
        }

        Assert.InRange(clock.ElapsedMilliseconds, 0, 1000); // eleven calls that each waited would take 1.6 s
        Assert.IsType<TimeoutException>(refused.InnerException);
        await EventuallyAsync(() => Task.FromResult(LogOf(Opened).Count > 0), TimeSpan.FromSeconds(2), "the opening is logged");
        var opened = Assert.Single(LogOf(Opened));
        Assert.Equal(LogLevel.Warning, opened.Level);

        await EventuallyAsync(() => AnswersAsync(cache), TimeSpan.FromSeconds(5), "the breaker closes once the pause ends");
        Assert.Equal([1], await cache.GetAsync("entry"));
        Assert.InRange(paused.ElapsedMilliseconds, 1300, 5000); // not before Redis could answer
        Assert.Single(LogOf(Closed));
    }

    [Fact]
    public async Task AKilledServer_OpensTheBreaker_AndItsRestartClosesIt_WithoutWaitingForTheNextProbe()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        // Probes a minute apart: only the restored connection's early probe can close it within the test.
        await using var cache = await ConnectedCacheAsync(redis, breakAfter: 2, probeMs: 60_000);
        redis.Server.Stop();

        for (var i = 0; i < 2; i++)
        {
            var failure = await Record.ExceptionAsync(() => cache.GetAsync("entry"));
            Assert.True(failure is RedisConnectionException or TimeoutException, failure?.ToString());
        }

        await Assert.ThrowsAsync<RedisUnavailableException>(() => cache.GetAsync("entry"));

        await redis.Server.RestartAsync();
        await EventuallyAsync(() => AnswersAsync(cache), TimeSpan.FromSeconds(10), "the breaker closes after the restart");
        await cache.SetAsync("entry", [3], OneMinute);
        Assert.Equal([3], await cache.GetAsync("entry"));
        Assert.Single(LogOf(Closed));
    }

    /// <summary>An error reply (here OOM) is an answer: it fails its own call but never opens the breaker.</summary>
    [Fact]
    public async Task ErrorReplies_FailTheirCall_ButNeverOpenTheBreaker()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = await ConnectedCacheAsync(redis, breakAfter: 2);
        await redis.Inspector.ExecuteAsync("CONFIG", "SET", "maxmemory", "1");

        for (var i = 0; i < 5; i++)
        {
            var failure = await Assert.ThrowsAnyAsync<RedisException>(() => cache.SetAsync($"new:{i}", [1], OneMinute));
            Assert.Contains("OOM", failure.Message, StringComparison.Ordinal);
        }

        Assert.Equal([1], await cache.GetAsync("entry"));
        Assert.Empty(LogOf(Opened));
    }

    [Fact]
    public async Task WithBreakAfterFailuresZero_CallsKeepTryingRedis()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = await ConnectedCacheAsync(redis, timeoutMs: 100, breakAfter: 0);
        await PauseAsync(redis, 1500);

        for (var i = 0; i < 6; i++)
        {
            await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync("entry"));
        }

        Assert.Empty(LogOf(Opened));
    }

    [Fact]
    public async Task OutputCacheTimeouts_StopOutputCacheCalls_ButNotTheAppsOwnCalls()
    {
        // Every round trip through the proxy takes over 100 ms: too slow for the output cache's 50 ms, fine for 1 s.
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var proxy = new RedisAutoExpiry.Testing.DelayProxy(redis.Server.Port, TimeSpan.FromMilliseconds(60));
        await using var cache = CreateCacheOn(redis.Server, o =>
        {
            o.Configuration = $"{proxy.Endpoint},connectTimeout=5000";
            o.Resilience.OperationTimeout = TimeSpan.FromSeconds(1);
            o.Resilience.OutputCacheTimeout = TimeSpan.FromMilliseconds(50);
            o.Resilience.BreakAfterFailures = 3;
        }, CacheLog);
        await cache.SetAsync("entry", [1], OneMinute);
        var store = new RedisAutoExpiry.OutputCaching.RedisAutoExpiryOutputCacheStore(cache);

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await store.GetAsync("page", CancellationToken.None)); // timed out: a miss
        }

        Assert.True(cache.Store.OutputCacheRefused);
        // Refused without waiting: a call that waited would take the 50 ms bound. A busy machine only adds time, so the
        // fastest of three refused calls is the one that shows it.
        var fastest = long.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            Assert.Null(await store.GetAsync("page", CancellationToken.None));
            fastest = Math.Min(fastest, clock.ElapsedMilliseconds);
        }

        Assert.InRange(fastest, 0, 40);
        Assert.Equal([1], await cache.GetAsync("entry")); // the app's own calls still go through
        await EventuallyAsync(() => Task.FromResult(CacheLog.MessagesOf(Opened).Count > 0), TimeSpan.FromSeconds(2), "the opening is logged");
        Assert.Contains("output cache calls", Assert.Single(CacheLog.MessagesOf(Opened)), StringComparison.Ordinal);
    }

    // The breaker for all cache calls (the other one's messages name "output cache calls").
    private List<(EventId Id, LogLevel Level, string Message)> LogOf(int eventId) =>
        CacheLog.Entries.Where(e => e.Id.Id == eventId && !e.Message.Contains("output cache calls", StringComparison.Ordinal)).ToList();
}
