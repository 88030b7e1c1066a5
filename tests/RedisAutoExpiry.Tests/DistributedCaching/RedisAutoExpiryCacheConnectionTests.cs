using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.DistributedCaching;

public sealed class RedisAutoExpiryCacheConnectionTests : RedisTestBase
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Calls_FailWithinTheConnectTimeout_WhenRedisIsUnreachable(bool async)
    {
        var cache = CreateCache(o => o.Configuration = $"127.0.0.1:{UnusedPort()},connectTimeout=500,syncTimeout=500", variant: async.ToString());
        var clock = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<RedisConnectionException>(() => cache.GetAsync("entry", async));
        await Assert.ThrowsAsync<RedisConnectionException>(() => cache.SetAsync("entry", [1], OneMinute, async));
        await Assert.ThrowsAsync<RedisConnectionException>(() => cache.RemoveAsync("entry", async));

        Assert.InRange(clock.ElapsedMilliseconds, 0, 3000);
        Assert.Contains("No connection is active/available", exception.Message);
    }

    [Fact]
    public async Task TheFirstCall_GivesUpWithinTheConnectBound_WhenRedisAcceptsButNeverAnswers()
    {
        using var silent = SilentServer();
        var cache = CreateCache(o => o.Configuration = $"127.0.0.1:{Port(silent)},connectTimeout=500,syncTimeout=500");
        var clock = Stopwatch.StartNew();

        var exception = await Record.ExceptionAsync(() => cache.GetAsync("entry"));

        Assert.True(exception is TimeoutException or RedisConnectionException, exception?.ToString());
        Assert.InRange(clock.ElapsedMilliseconds, 0, 2000 + 500); // 2 x connectTimeout + 1 s, plus scheduling slack
    }

    [Fact]
    public async Task ATokenCancelledWhileConnecting_EndsTheWaitAtOnce()
    {
        using var silent = SilentServer();
        var cache = CreateCache(o => o.Configuration = $"127.0.0.1:{Port(silent)},connectTimeout=5000");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.GetAsync("entry", cancel.Token));

        Assert.InRange(clock.ElapsedMilliseconds, 0, 1000);
    }

    [Fact]
    public async Task ATokenCancelledInFlight_EndsTheWaitBeforeTheReply()
    {
        await using var proxy = new RedisAutoExpiry.Testing.DelayProxy(Server.Port, TimeSpan.FromMilliseconds(400));
        var cache = CreateCache(o =>
        {
            o.Configuration = $"{proxy.Endpoint},connectTimeout=5000";
            o.Resilience.OperationTimeout = TimeSpan.FromSeconds(5); // above the proxy's round trip
        });
        await cache.SetAsync("entry", [1], OneMinute);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.GetAsync("entry", cancel.Token));

        Assert.InRange(clock.ElapsedMilliseconds, 0, 700); // a reply would take 800 ms
    }

    [Fact]
    public async Task ACancelledToken_StopsTheCall_AndNothingIsWritten()
    {
        var cache = CreateCache();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.SetAsync("entry", [1], OneMinute, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.GetAsync("entry", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.RefreshAsync("entry", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.RemoveAsync("entry", cancelled.Token));

        Assert.False(await Inspector.KeyExistsAsync(Prefix() + "entry"));
    }

    [Fact]
    public async Task ADisposedCache_RefusesCalls()
    {
        var cache = CreateCache();
        await cache.SetAsync("entry", [1], OneMinute);

        await cache.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => cache.GetAsync("entry"));
        Assert.Throws<ObjectDisposedException>(() => cache.Get("entry"));
    }

    [Fact]
    public async Task AMultiplexerFromTheApp_IsUsed_AndStaysOpenAfterTheCacheIsDisposed()
    {
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync(Server.ConnectionString());
        var calls = 0;
        var cache = CreateCache(o =>
        {
            o.Configuration = "unused:1";
            o.ConnectionMultiplexerFactory = () =>
            {
                Interlocked.Increment(ref calls);
                return Task.FromResult<IConnectionMultiplexer>(multiplexer);
            };
        });

        await cache.SetAsync("entry", [1], OneMinute);
        Assert.Equal([1], cache.Get("entry"));
        await cache.DisposeAsync();

        Assert.Equal(1, calls);
        Assert.True(multiplexer.IsConnected);
        Assert.True(await multiplexer.GetDatabase().KeyExistsAsync(Prefix() + "entry"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFailedConnectAttempt_IsNotCached_TheNextCallTriesAgain(bool async)
    {
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync(Server.ConnectionString());
        var calls = 0;
        var cache = CreateCache(o => o.ConnectionMultiplexerFactory = () => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("first attempt fails")
            : Task.FromResult<IConnectionMultiplexer>(multiplexer), variant: async.ToString());

        // The app's own exception, not wrapped in an AggregateException, on the sync path too.
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetAsync("entry", async));
        Assert.Equal("first attempt fails", exception.Message);

        Assert.Null(await cache.GetAsync("entry", async));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task ConfigurationOptions_WinOverTheConnectionString()
    {
        var cache = CreateCache(o =>
        {
            o.Configuration = $"127.0.0.1:{UnusedPort()}";
            o.ConfigurationOptions = ConfigurationOptions.Parse(Server.ConnectionString());
        });

        await cache.SetAsync("entry", [1], OneMinute);

        Assert.Equal([1], await cache.GetAsync("entry"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ScriptedWrites_StillWork_AfterRedisForgetsItsScripts(bool async)
    {
        // A server of its own: SCRIPT FLUSH on the shared one would fail every other test's next script once.
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = CreateCacheOn(redis.Server);
        var capped = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(1), AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(2) };
        await cache.SetAsync("entry", [1], capped, async);

        await redis.Inspector.ExecuteAsync("SCRIPT", "FLUSH");
        await cache.SetAsync("entry", [2], capped, async);

        Assert.Equal([2], await cache.GetAsync("entry", async));
        Assert.InRange((long)await redis.Inspector.ExecuteAsync("PTTL", Prefix() + "entry"), 50_000, 60_000);
    }

    [Fact]
    public async Task SlidingRefreshes_GoOn_AcrossAScriptFlush()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = CreateCacheOn(redis.Server);
        await cache.SetAsync("entry", [1], new() { SlidingExpiration = TimeSpan.FromMilliseconds(800) });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (var i = 0; clock.ElapsedMilliseconds < 2400; i++)
        {
            if (i % 4 == 2)
            {
                await redis.Inspector.ExecuteAsync("SCRIPT", "FLUSH"); // as a restart or failover does to scripts
            }

            Assert.Equal([1], await cache.GetAsync("entry"));
            await Task.Delay(100);
        }

        Assert.InRange((long)await redis.Inspector.ExecuteAsync("PTTL", Prefix() + "entry"), 300, 800);
    }

    [Fact]
    public async Task SyncCalls_CompleteUnderASingleThreadedSynchronizationContext()
    {
        var cache = CreateCache();
        var done = new TaskCompletionSource();
        var thread = new Thread(() =>
        {
            // Continuations posted here would never run while this thread blocks: a sync-over-async path would hang.
            SynchronizationContext.SetSynchronizationContext(new NeverPumpedContext());
            try
            {
                cache.Set("entry", [1], new() { SlidingExpiration = TimeSpan.FromMinutes(1), AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(2) });
                Assert.Equal([1], cache.Get("entry"));
                cache.Refresh("entry");
                cache.Remove("entry");
                done.SetResult();
            }
            catch (Exception exception)
            {
                done.SetException(exception);
            }
        });
        thread.Start();

        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static int UnusedPort()
    {
        using var listener = SilentServer();
        return Port(listener);
    }

    /// <summary>A port that accepts connections and never answers: Redis hung, or a firewall that swallows packets.</summary>
    private static TcpListener SilentServer()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(100);
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    private sealed class NeverPumpedContext : SynchronizationContext
    {
        private readonly ConcurrentQueue<(SendOrPostCallback, object?)> _posted = new();

        public override void Post(SendOrPostCallback d, object? state) => _posted.Enqueue((d, state));

        public override void Send(SendOrPostCallback d, object? state) => throw new InvalidOperationException("Send on a blocked context.");
    }
}
