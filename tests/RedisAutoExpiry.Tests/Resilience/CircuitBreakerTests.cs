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
        Assert.Throws<RedisUnavailableException>(() => cache.Set("entry", [2], OneMinute));
        Assert.InRange(clock.ElapsedMilliseconds, 0, 100); // no wait on Redis at all
        Assert.IsType<TimeoutException>(refused.InnerException);
        await EventuallyAsync(() => Task.FromResult(CacheLog.MessagesOf(Opened).Count > 0), TimeSpan.FromSeconds(2), "the opening is logged");
        var opened = Assert.Single(CacheLog.Entries, e => e.Id.Id == Opened);
        Assert.Equal(LogLevel.Warning, opened.Level);

        await EventuallyAsync(() => AnswersAsync(cache), TimeSpan.FromSeconds(5), "the breaker closes once the pause ends");
        Assert.Equal([1], await cache.GetAsync("entry"));
        Assert.InRange(paused.ElapsedMilliseconds, 1300, 5000); // not before Redis could answer
        Assert.Single(CacheLog.Entries, e => e.Id.Id == Closed);
    }

    [Fact]
    public async Task AKilledServer_OpensTheBreaker_AndItsRestartClosesIt()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = await ConnectedCacheAsync(redis, breakAfter: 2);
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
        Assert.Single(CacheLog.Entries, e => e.Id.Id == Closed);
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
        Assert.Empty(CacheLog.MessagesOf(Opened));
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

        Assert.Empty(CacheLog.MessagesOf(Opened));
    }
}
