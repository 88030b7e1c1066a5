using BenchmarkDotNet.Attributes;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// P1: Get hit of a 1 KiB value by 64 concurrent async callers, against a raw StackExchange.Redis StringGetAsync of the
/// same stored value on the same connection. Time per operation; throughput ratio = baseline time / cache time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class GetThroughputBenchmarks
{
    private const int Callers = 64;
    private const int OperationsPerCaller = 200;
    private const string Key = "bench:get";

    private RedisFixture _redis = null!;

    [GlobalSetup]
    public void Setup()
    {
        _redis = RedisFixture.StartAsync().GetAwaiter().GetResult();
        _redis.Cache.Set(Key, new byte[1024], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
    }

    [GlobalCleanup]
    public void Cleanup() => _redis.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Callers * OperationsPerCaller)]
    public Task RawStringGetAsync() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, () => _redis.Database.StringGetAsync(Key));

    [Benchmark(OperationsPerInvoke = Callers * OperationsPerCaller)]
    public Task CacheGetAsync() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, () => _redis.Cache.GetAsync(Key));
}
