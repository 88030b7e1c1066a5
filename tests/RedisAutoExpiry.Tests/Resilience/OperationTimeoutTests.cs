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

    /// <summary>
    /// A call whose command the socket cannot take (the server hangs; a 64 MB value fills the kernel's buffers) waits on
    /// the client's write, which StackExchange.Redis does not time out, and the calls queued behind it wait on its write
    /// lock: the client's own async timeout never ends them (2.7.27: not while the server hangs; 2.13: after about
    /// 5 s). The cache's own bound ends each at OperationTimeout. (Found by a review of a change that let the client
    /// bound the app's calls, 2026-12-07; that change was reverted.)
    /// </summary>
    [Fact]
    public async Task AsyncCalls_BehindAWriteTheServerCannotTake_ThrowTimeoutException_AfterTheOperationTimeout()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = await ConnectedCacheAsync(redis, timeoutMs: 500);
        var big = new byte[64 << 20];
        redis.Server.Freeze();
        try
        {
            var clock = Stopwatch.StartNew();
            var write = cache.SetAsync("big", big, OneMinute);
            await Task.Delay(100);
            var behindIt = Stopwatch.StartNew();
            var read = cache.GetAsync("entry");

            // (Waited for 10 s at most, so a regression fails the test rather than hanging the run.)
            await Assert.ThrowsAnyAsync<TimeoutException>(() => write.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.InRange(clock.ElapsedMilliseconds, 400, 2000); // 500 ms and scheduling; the hang lasts until Thaw
            await Assert.ThrowsAnyAsync<TimeoutException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.InRange(behindIt.ElapsedMilliseconds, 400, 2000);
        }
        finally
        {
            redis.Server.Thaw();
        }
    }

    /// <summary>
    /// A multiplexer the app supplies keeps its own settings (here the client's default async timeout, 5 s, checked
    /// once a second): the cache bounds the calls it sends on it by OperationTimeout itself.
    /// </summary>
    [Fact]
    public async Task AsyncCallsOnTheAppsMultiplexer_ThrowTimeoutException_AfterTheOperationTimeout()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        using var multiplexer = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString());
        await using var cache = CreateCacheOn(redis.Server, o =>
        {
            o.ConnectionMultiplexerFactory = () => Task.FromResult<StackExchange.Redis.IConnectionMultiplexer>(multiplexer);
            o.Resilience.OperationTimeout = TimeSpan.FromMilliseconds(200);
            o.Resilience.BreakAfterFailures = 0;
        });
        await cache.SetAsync("entry", [1], OneMinute);
        await PauseAsync(redis, 2500);

        var clock = Stopwatch.StartNew();
        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync("entry"));

        Assert.InRange(clock.ElapsedMilliseconds, 150, 1200); // 200 ms and scheduling; the client's own would be 5 s
        Assert.Contains("Resilience.OperationTimeout", timedOut.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Disposing the cache while Redis stalls ends the calls still waiting with the same TimeoutException, by their
    /// bound at the latest: the client's own close would wait for its QUIT as long again, and fail them otherwise.
    /// </summary>
    [Fact]
    public async Task DisposingTheCache_WhileRedisStalls_EndsTheCallsStillWaiting_ByTheirBound()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        var cache = await ConnectedCacheAsync(redis, timeoutMs: 1000);
        await PauseAsync(redis, 5000);
        var clock = Stopwatch.StartNew();
        var waiting = cache.GetAsync("entry");
        await Task.Delay(900);

        var disposing = Task.Run(() => cache.DisposeAsync().AsTask());
        var failure = await Record.ExceptionAsync(() => waiting);

        // TimeoutException, or the client's RedisTimeoutException when its own heartbeat (its async timeout is the
        // same second) happens to come first.
        Assert.True(failure is TimeoutException, $"failed with {failure}");
        Assert.InRange(clock.ElapsedMilliseconds, 800, 1500); // the bound (1 s), not the pause (5 s) nor the close's wait
        await disposing;
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
