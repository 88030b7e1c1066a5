using BenchmarkDotNet.Attributes;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// P2a: one caller's Get of a sliding 1 KiB entry, one awaited call at a time, against the two-round-trip sliding Get
/// of Microsoft's RedisCache layout (<see cref="SlidingEntries"/>). Our Get awaits one GET and sends the refresh
/// without waiting. Latency ratio = cache time ÷ baseline time. Each invocation awaits <see cref="Calls"/> calls one after
/// another: BenchmarkDotNet blocks on every invocation's task, and that wake-up (50-400 µs on this VM) would otherwise
/// be most of what one call measures.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class SlidingGetLatencyBenchmarks : RedisBenchmark
{
    private const int Calls = 100;


    protected override void Populate()
    {
        SlidingEntries.Write(Redis);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public Task TwoRoundTripSlidingGet() =>
        RedisFixture.RunConcurrentlyAsync(1, Calls, () => SlidingEntries.TwoRoundTripGetAsync(Redis.Database));

    [Benchmark(OperationsPerInvoke = Calls)]
    public Task CacheSlidingGet() =>
        RedisFixture.RunConcurrentlyAsync(1, Calls, () => Redis.Cache.GetAsync(SlidingEntries.CacheKey));
}
