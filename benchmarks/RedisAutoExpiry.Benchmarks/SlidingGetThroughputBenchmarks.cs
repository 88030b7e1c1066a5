using BenchmarkDotNet.Attributes;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// P2b: Get of a sliding 1 KiB entry by 64 concurrent async callers, against the two-round-trip sliding Get of
/// Microsoft's RedisCache layout (<see cref="SlidingEntries"/>). Time per operation; throughput ratio = baseline time
/// ÷ cache time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class SlidingGetThroughputBenchmarks
{
    private const int Callers = 64;
    private const int OperationsPerCaller = 200;

    private RedisFixture _redis = null!;

    [GlobalSetup]
    public void Setup()
    {
        _redis = RedisFixture.StartAsync().GetAwaiter().GetResult();
        SlidingEntries.Write(_redis);
    }

    [GlobalCleanup]
    public void Cleanup() => _redis.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Callers * OperationsPerCaller)]
    public Task TwoRoundTripSlidingGet() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, () => SlidingEntries.TwoRoundTripGetAsync(_redis.Database));

    [Benchmark(OperationsPerInvoke = Callers * OperationsPerCaller)]
    public Task CacheSlidingGet() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, () => _redis.Cache.GetAsync(SlidingEntries.CacheKey));
}
