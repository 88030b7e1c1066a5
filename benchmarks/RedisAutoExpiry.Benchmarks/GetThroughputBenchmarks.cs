using BenchmarkDotNet.Attributes;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// P1: Get hit of a 1 KiB value by 64 concurrent async callers, against a raw StackExchange.Redis StringGetAsync of the
/// same stored value on the same connection. Time per operation; throughput ratio = baseline time / cache time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class GetThroughputBenchmarks : RedisBenchmark
{
    private const int Callers = 64;
    private const int OperationsPerCaller = 200;
    private const string Key = "bench:get";


    protected override void Populate()
    {
        Redis.Cache.Set(Key, new byte[1024], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Callers * OperationsPerCaller)]
    public Task RawStringGetAsync() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, () => Redis.Database.StringGetAsync(Key));

    [Benchmark(OperationsPerInvoke = Callers * OperationsPerCaller)]
    public Task CacheGetAsync() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, () => Redis.Cache.GetAsync(Key));
}
