using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Testing;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// A benchmark's own redis-server on a free loopback port, one multiplexer, and a cache that uses that same
/// multiplexer, so the baseline and the cache share every byte of the path to Redis.
/// </summary>
internal sealed class RedisFixture : IAsyncDisposable
{
    private RedisFixture(RedisServer server, ConnectionMultiplexer multiplexer, RedisAutoExpiryCache cache)
    {
        Server = server;
        Multiplexer = multiplexer;
        Database = multiplexer.GetDatabase();
        Cache = cache;
    }

    public RedisServer Server { get; }

    public ConnectionMultiplexer Multiplexer { get; }

    public IDatabase Database { get; }

    public RedisAutoExpiryCache Cache { get; }

    public static async Task<RedisFixture> StartAsync()
    {
        var server = await RedisServer.StartAsync("default.conf");
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString());
        var cache = new RedisAutoExpiryCache(new RedisAutoExpiryCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer),
            DefaultEntryOptions = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) },
        });
        return new RedisFixture(server, multiplexer, cache);
    }

    /// <summary>Runs <paramref name="callers"/> concurrent loops of <paramref name="operations"/> awaited calls each.</summary>
    public static Task RunConcurrentlyAsync(int callers, int operations, Func<Task> call) =>
        RunConcurrentlyAsync(callers, operations, (_, _) => call());

    /// <summary>The same, telling each call its caller's number and the call's number within that caller.</summary>
    public static Task RunConcurrentlyAsync(int callers, int operations, Func<int, int, Task> call) =>
        Task.WhenAll(Enumerable.Range(0, callers).Select(async caller =>
        {
            for (var i = 0; i < operations; i++)
            {
                await call(caller, i).ConfigureAwait(false);
            }
        }));

    public async ValueTask DisposeAsync()
    {
        await Cache.DisposeAsync();
        Multiplexer.Dispose();
        await Server.DisposeAsync();
    }
}
