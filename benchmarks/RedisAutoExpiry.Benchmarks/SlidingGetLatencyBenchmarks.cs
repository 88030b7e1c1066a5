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
public class SlidingGetLatencyBenchmarks
{
    private const int Calls = 100;

    private RedisFixture _redis = null!;

    [GlobalSetup]
    public void Setup()
    {
        _redis = RedisFixture.StartAsync().GetAwaiter().GetResult();
        SlidingEntries.Write(_redis);
    }

    [GlobalCleanup]
    public void Cleanup() => _redis.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public Task TwoRoundTripSlidingGet() =>
        RedisFixture.RunConcurrentlyAsync(1, Calls, () => SlidingEntries.TwoRoundTripGetAsync(_redis.Database));

    [Benchmark(OperationsPerInvoke = Calls)]
    public Task CacheSlidingGet() =>
        RedisFixture.RunConcurrentlyAsync(1, Calls, () => _redis.Cache.GetAsync(SlidingEntries.CacheKey));
}
