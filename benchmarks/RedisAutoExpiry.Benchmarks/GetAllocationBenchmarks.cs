using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// P4: bytes allocated per Get of a 1 KiB entry, one awaited call at a time, against a raw StringGetAsync of the same
/// stored value (header included) on the same connection. <c>GetAsync</c> must return a new array of exactly the
/// value; <c>TryGetAsync</c> (IBufferDistributedCache, the path HybridCache takes) writes into the caller's buffer.
/// Each invocation awaits <see cref="Calls"/> calls one after another, so what BenchmarkDotNet's own wait on an
/// invocation allocates is spread over them.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class GetAllocationBenchmarks : RedisBenchmark
{
    private const string Key = "bench:alloc";
    private const int Calls = 100;

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    protected override void Populate()
    {
        Redis.Cache.Set(Key, new byte[1024], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public async Task<int> RawStringGetAsync()
    {
        var length = 0;
        for (var i = 0; i < Calls; i++)
        {
            length += ((byte[]?)await Redis.Database.StringGetAsync(Key).ConfigureAwait(false))!.Length;
        }

        return length;
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public async Task<int> CacheGetAsync()
    {
        var length = 0;
        for (var i = 0; i < Calls; i++)
        {
            length += (await Redis.Cache.GetAsync(Key).ConfigureAwait(false))!.Length;
        }

        return length;
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public async Task<int> CacheTryGetAsync()
    {
        var length = 0;
        for (var i = 0; i < Calls; i++)
        {
            _buffer.ResetWrittenCount();
            length += await Redis.Cache.TryGetAsync(Key, _buffer).ConfigureAwait(false) ? _buffer.WrittenCount : -1;
        }

        return length;
    }
}
