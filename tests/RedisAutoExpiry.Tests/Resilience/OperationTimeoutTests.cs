using System.Diagnostics;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Resilience;

public sealed class OperationTimeoutTests : ResilienceTestBase
{
    /// <summary>
    /// StackExchange.Redis checks its own async timeout only on its heartbeat (once a second by default): left as it
    /// is, an async Get on a paused server waits up to that much longer. Every call gives up after OperationTimeout
    /// instead, sync and async alike (the cache's own multiplexer checks a tenth of the bound apart).
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
    public async Task AnAsyncCallTheClientEnds_ThrowsTheCachesTimeoutException_NamingTheOption()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = await ConnectedCacheAsync(redis, timeoutMs: 300);
        await PauseAsync(redis, 2500);

        var clock = Stopwatch.StartNew();
        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync("entry"));

        Assert.InRange(clock.ElapsedMilliseconds, 250, 1000); // 300 ms, its heartbeat 30 ms, and scheduling
        Assert.Contains("Resilience.OperationTimeout", timedOut.Message, StringComparison.Ordinal);
        Assert.IsType<StackExchange.Redis.RedisTimeoutException>(timedOut.InnerException); // the client ended it
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
    /// Disposing the cache while Redis stalls waits for the client to close its connection, which waits on the stalled
    /// server too; a call already waiting still ends by its bound (or as the connection closes), as the client's
    /// heartbeat goes on meanwhile.
    /// </summary>
    [Fact]
    public async Task DisposingTheCache_WhileRedisStalls_LeavesNoCallWaitingPastItsBound()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        var cache = await ConnectedCacheAsync(redis, timeoutMs: 500);
        await PauseAsync(redis, 3000);
        var clock = Stopwatch.StartNew();
        var waiting = cache.GetAsync("entry");
        await Task.Delay(100);

        var disposing = Task.Run(() => cache.DisposeAsync().AsTask());
        var failure = await Record.ExceptionAsync(() => waiting);

        // The bound, or the client closing the connection once it has waited for its QUIT (as long as the bound).
        Assert.True(failure is TimeoutException or StackExchange.Redis.RedisConnectionException, $"failed with {failure}");
        Assert.InRange(clock.ElapsedMilliseconds, 400, 1500); // the bound, not the pause (3 s)
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
