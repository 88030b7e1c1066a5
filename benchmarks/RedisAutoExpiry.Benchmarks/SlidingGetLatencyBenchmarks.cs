using BenchmarkDotNet.Attributes;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// P2a: one caller's Get of a sliding 1 KiB entry, one awaited call at a time, against the two-round-trip sliding Get
/// of Microsoft's RedisCache layout (<see cref="SlidingEntries"/>). Our Get awaits one GET and sends the refresh
/// without waiting. Latency ratio = cache time ÷ baseline time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class SlidingGetLatencyBenchmarks
{
    private RedisFixture _redis = null!;

    [GlobalSetup]
    public void Setup()
    {
        _redis = RedisFixture.StartAsync().GetAwaiter().GetResult();
        SlidingEntries.Write(_redis);
    }

    [GlobalCleanup]
    public void Cleanup() => _redis.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public Task TwoRoundTripSlidingGet() => SlidingEntries.TwoRoundTripGetAsync(_redis.Database);

    [Benchmark]
    public Task CacheSlidingGet() => _redis.Cache.GetAsync(SlidingEntries.CacheKey);
}
