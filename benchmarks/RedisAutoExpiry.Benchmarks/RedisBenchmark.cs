using BenchmarkDotNet.Attributes;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// The part every BenchmarkDotNet class here shares: its own redis-server and connection (<see cref="RedisFixture"/>),
/// started in the global setup, which then calls <see cref="Populate"/>, and stopped in the global cleanup.
/// </summary>
public abstract class RedisBenchmark
{
    internal RedisFixture Redis { get; private set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        Redis = RedisFixture.StartAsync().GetAwaiter().GetResult();
        Populate();
    }

    /// <summary>Writes what the benchmarks read, once the server is up.</summary>
    protected virtual void Populate()
    {
    }

    [GlobalCleanup]
    public virtual void Cleanup() => Redis.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
