using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Testing;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// A benchmark's own redis-server on a free loopback port, and a cache connected to it the way an app's is (from a
/// connection string, so the cache creates and configures its multiplexer). The baselines use that same multiplexer,
/// so the baseline and the cache share every byte of the path to Redis.
/// </summary>
internal sealed class RedisFixture : IAsyncDisposable
{
    private RedisFixture(RedisServer server, IConnectionMultiplexer multiplexer, RedisAutoExpiryCache cache)
    {
        Server = server;
        Multiplexer = multiplexer;
        Database = multiplexer.GetDatabase();
        Cache = cache;
    }

    public RedisServer Server { get; }

    public IConnectionMultiplexer Multiplexer { get; }

    public IDatabase Database { get; }

    public RedisAutoExpiryCache Cache { get; }

    public static async Task<RedisFixture> StartAsync()
    {
        var server = await RedisServer.StartAsync("default.conf");
        var cache = new RedisAutoExpiryCache(new RedisAutoExpiryCacheOptions
        {
            Configuration = server.ConnectionString(),
            DefaultEntryOptions = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) },
        });
        var database = await cache.Store.Connection.GetDatabaseAsync(CancellationToken.None);
        return new RedisFixture(server, database.Multiplexer, cache);
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
        await Cache.DisposeAsync(); // and the multiplexer it owns
        await Server.DisposeAsync();
    }
}
