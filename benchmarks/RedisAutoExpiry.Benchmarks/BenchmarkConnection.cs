using RedisAutoExpiry.Testing;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>The benchmarks' own multiplexers, set up as the cache sets up the one it owns.</summary>
internal static class BenchmarkConnection
{
    public static async Task<ConnectionMultiplexer> ConnectAsync(RedisServer server)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString());

        // On by default in 1.2.6, it funnels every completion through one queue (a stalled reply holds up the ones
        // behind it, and async throughput halves). 2.x ignores it, so the suite builds against either
        // (-p:StackExchangeRedisVersion, see benchmarks/README.md).
#pragma warning disable CS0618 // obsolete in 2.x, a no-op there.
        multiplexer.PreserveAsyncOrder = false;
#pragma warning restore CS0618
        return multiplexer;
    }
}
