using BenchmarkDotNet.Attributes;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// Get of a sliding 1 KiB entry against the two-round-trip sliding Get of Microsoft's RedisCache layout (a hash with
/// absexp, sldexp and data; HMGET, then an awaited EXPIRE), written here as the baseline. One caller measures latency,
/// 64 callers throughput.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class SlidingGetBenchmarks
{
    private const string HashKey = "bench:sliding:hash";
    private const string CacheKey = "bench:sliding:cache";
    private static readonly RedisValue[] HashFields = ["absexp", "sldexp", "data"];

    private RedisFixture _redis = null!;

    [Params(1, 64)]
    public int Callers { get; set; }

    private int OperationsPerCaller => Callers == 1 ? 2000 : 200;

    [GlobalSetup]
    public void Setup()
    {
        _redis = RedisFixture.StartAsync().GetAwaiter().GetResult();
        var sliding = TimeSpan.FromMinutes(20);
        _redis.Database.HashSet(HashKey, [new("absexp", -1), new("sldexp", sliding.Ticks), new("data", new byte[1024])]);
        _redis.Database.KeyExpire(HashKey, sliding);
        _redis.Cache.Set(CacheKey, new byte[1024], new() { SlidingExpiration = sliding });
    }

    [GlobalCleanup]
    public void Cleanup() => _redis.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public Task TwoRoundTripSlidingGet() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, async () =>
        {
            var values = await _redis.Database.HashGetAsync(HashKey, HashFields).ConfigureAwait(false);
            await _redis.Database.KeyExpireAsync(HashKey, TimeSpan.FromTicks((long)values[1])).ConfigureAwait(false);
        });

    [Benchmark]
    public Task CacheSlidingGet() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, () => _redis.Cache.GetAsync(CacheKey));
}
