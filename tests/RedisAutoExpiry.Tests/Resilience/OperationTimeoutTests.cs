using System.Diagnostics;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Resilience;

public sealed class OperationTimeoutTests : ResilienceTestBase
{
    /// <summary>
    /// StackExchange.Redis checks its own async timeout only on its heartbeat (once a second; 1.2.6 had none): without
    /// the cache's own bound, an async Get on a paused server waits at least that long. Every call gives up after
    /// OperationTimeout instead, sync and async alike.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryCall_OnAPausedServer_ThrowsTimeoutException_AfterTheOperationTimeout(bool async)
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = await ConnectedCacheAsync(redis, timeoutMs: 200);
        await PauseAsync(redis, 2500);

        foreach (var call in new Func<Task>[]
        {
            () => cache.GetAsync("entry", async),
            () => cache.SetAsync("entry", [2], OneMinute, async),
            () => cache.RefreshAsync("entry", async),
            () => cache.RemoveAsync("entry", async),
        })
        {
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<TimeoutException>(call);
            Assert.InRange(clock.ElapsedMilliseconds, 150, 1200); // 200 ms and scheduling; the pause would be 2.5 s
        }
    }

    [Fact]
    public async Task AsyncCallsWithATimeout_LeaveTheCacheWorking_OnceThePauseEnds()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = await ConnectedCacheAsync(redis, timeoutMs: 100);
        await PauseAsync(redis, 600);

        await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync("entry"));

        await EventuallyAsync(() => AnswersAsync(cache), TimeSpan.FromSeconds(5), "the cache answers after the pause");
        Assert.Equal([1], await cache.GetAsync("entry"));
    }
}
