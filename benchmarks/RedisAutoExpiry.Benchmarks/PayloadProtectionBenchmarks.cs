using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// The cost of ProtectPayloads: Get and Set of a 1 KiB value by one caller, protected against unprotected, both caches
/// on the same connection. Latency per call; the ratio is protected / unprotected. The DataProtection category times
/// the encryption alone (no Redis), which is what protection adds to each call's CPU.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class PayloadProtectionBenchmarks : RedisBenchmark
{
    private static readonly DistributedCacheEntryOptions OneHour = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };
    private readonly byte[] _value = new byte[1024];
    private RedisAutoExpiryCache _protected = null!;
    private IDataProtector _protector = null!;
    private byte[] _ciphertext = null!;

    protected override void Populate()
    {
        _protected = new RedisAutoExpiryCache(Options.Create(new RedisAutoExpiryCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<StackExchange.Redis.IConnectionMultiplexer>(Redis.Multiplexer),
            InstanceName = "protected:",
            ProtectPayloads = true,
        }), NullLogger<RedisAutoExpiryCache>.Instance, null, new EphemeralDataProtectionProvider(NullLoggerFactory.Instance));
        Random.Shared.NextBytes(_value);
        _protector = new EphemeralDataProtectionProvider(NullLoggerFactory.Instance).CreateProtector("bench");
        _ciphertext = _protector.Protect(_value);
        Redis.Cache.Set("bench:payload", _value, OneHour);
        _protected.Set("bench:payload", _value, OneHour);
    }

    public override void Cleanup()
    {
        _protected.Dispose();
        base.Cleanup();
    }

    [BenchmarkCategory("Get"), Benchmark(Baseline = true)]
    public Task<byte[]?> GetUnprotected() => Redis.Cache.GetAsync("bench:payload");

    [BenchmarkCategory("Get"), Benchmark]
    public Task<byte[]?> GetProtected() => _protected.GetAsync("bench:payload");

    [BenchmarkCategory("Set"), Benchmark(Baseline = true)]
    public Task SetUnprotected() => Redis.Cache.SetAsync("bench:payload", _value, OneHour);

    [BenchmarkCategory("Set"), Benchmark]
    public Task SetProtected() => _protected.SetAsync("bench:payload", _value, OneHour);

    [BenchmarkCategory("DataProtection"), Benchmark]
    public byte[] Protect1KiB() => _protector.Protect(_value);

    [BenchmarkCategory("DataProtection"), Benchmark]
    public byte[] Unprotect1KiB() => _protector.Unprotect(_ciphertext);
}
