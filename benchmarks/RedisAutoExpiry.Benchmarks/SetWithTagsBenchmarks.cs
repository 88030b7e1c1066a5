using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// P3: Set of a 1 KiB entry with 3 tags by 64 concurrent async callers, against the raw commands such a Set needs at
/// the least, pipelined: SET with expiry and one SADD per tag, sent together and awaited together. Our Set is one
/// atomic script that also keeps the entry's tag index (so Remove, overwrites and expiry can take it out of its
/// tags). Each caller cycles through 100 keys of its own, so the tag sets stop growing at 6,400 members.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class SetWithTagsBenchmarks : RedisBenchmark
{
    private const int Callers = 64;
    private const int OperationsPerCaller = 100;
    private static readonly DistributedCacheEntryOptions Options = new() { AbsoluteExpirationRelativeToNow = TaggedSetBaseline.Expiry };

    private readonly byte[] _value = new byte[1024];
    private string[] _keys = [];
    private RedisKey[] _rawTagSets = [];

    protected override void Populate()
    {
        _keys = Enumerable.Range(0, Callers * OperationsPerCaller).Select(i => $"bench:set:{i}").ToArray();
        _rawTagSets = TaggedSetBaseline.TagSets("raw:tag:");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Callers * OperationsPerCaller)]
    public Task RawSetAndSaddPipelined() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, (caller, i) =>
        {
            var key = _keys[caller * OperationsPerCaller + i];
            return TaggedSetBaseline.SendAsync(Redis.Database, "raw:" + key, key, _value, _rawTagSets);
        });

    [Benchmark(OperationsPerInvoke = Callers * OperationsPerCaller)]
    public Task CacheSetWithThreeTags() =>
        RedisFixture.RunConcurrentlyAsync(Callers, OperationsPerCaller, (caller, i) =>
            Redis.Cache.SetAsync(_keys[caller * OperationsPerCaller + i], _value, Options, TaggedSetBaseline.Tags));
}
