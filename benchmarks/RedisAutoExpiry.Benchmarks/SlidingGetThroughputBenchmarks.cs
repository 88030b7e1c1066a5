using BenchmarkDotNet.Attributes;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// P2b: Get of a sliding 1 KiB entry by 64 concurrent async callers, against the two-round-trip sliding Get of
/// Microsoft's RedisCache layout (<see cref="SlidingEntries"/>). Time per operation; throughput ratio = baseline time
/// ÷ cache time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class SlidingGetThroughputBenchmarks : RedisBenchmark
{
    private const int Callers = 64;
    private const int OperationsPerCaller = 200;


    protected override void Populate()
    {
        SlidingEntries.Write(Redis);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Callers * OperationsPerCaller)]
    public Task TwoRoundTripSlidingGet() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, () => SlidingEntries.TwoRoundTripGetAsync(Redis.Database));

    [Benchmark(OperationsPerInvoke = Callers * OperationsPerCaller)]
    public Task CacheSlidingGet() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, () => Redis.Cache.GetAsync(SlidingEntries.CacheKey));
}
