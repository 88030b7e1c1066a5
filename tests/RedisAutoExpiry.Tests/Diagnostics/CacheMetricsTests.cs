using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.OutputCaching;
using RedisAutoExpiry.Tests.Infrastructure;
using RedisAutoExpiry.Tests.Resilience;

namespace RedisAutoExpiry.Tests.Diagnostics;

/// <summary>The meter's instruments, read with a MeterListener while the cache works against real Redis.</summary>
public sealed class CacheMetricsTests : ResilienceTestBase
{
    private static readonly (string, object) Distributed = ("redisautoexpiry.cache", "distributed");
    private static readonly (string, object) Output = ("redisautoexpiry.cache", "output");

    [Fact]
    public async Task HitsMissesAndSets_AreCounted_PerCache()
    {
        var cache = CreateCache(o => o.Resilience.OutputCacheTimeout = TestOperationTimeout); // 50 ms could drop the page
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);
        var store = new RedisAutoExpiryOutputCacheStore(cache);

        Assert.Null(await cache.GetAsync("a"));
        await cache.SetAsync("a", [1], OneMinute);
        await cache.SetAsync("b", [2], OneMinute, ["t"]);
        Assert.NotNull(await cache.GetAsync("a"));
        Assert.NotNull(cache.Get("b"));
        Assert.Null(cache.Get("c"));
        await store.SetAsync("page", [3], null, TimeSpan.FromMinutes(1), default);
        Assert.NotNull(await store.GetAsync("page", default));
        Assert.Null(await store.GetAsync("other", default));
        Assert.Null(await store.GetAsync("another", default));

        Assert.Equal(2, meter.Sum("redisautoexpiry.cache.hits", Distributed));
        Assert.Equal(2, meter.Sum("redisautoexpiry.cache.misses", Distributed));
        Assert.Equal(2, meter.Sum("redisautoexpiry.cache.sets", Distributed));
        Assert.Equal(1, meter.Sum("redisautoexpiry.cache.hits", Output));
        Assert.Equal(2, meter.Sum("redisautoexpiry.cache.misses", Output));
        Assert.Equal(1, meter.Sum("redisautoexpiry.cache.sets", Output));
        Assert.Equal(0, meter.Sum("redisautoexpiry.cache.errors"));
    }

    [Fact]
    public async Task AnEntryNotInOurFormat_CountsAsAMiss()
    {
        var cache = CreateCache();
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);
        await Inspector.StringSetAsync(Prefix() + "foreign", new byte[] { 0xAE, 0x20, 1 }); // a future format version

        Assert.Null(await cache.GetAsync("foreign"));

        Assert.Equal(1, meter.Sum("redisautoexpiry.cache.misses", Distributed));
        Assert.Equal(0, meter.Sum("redisautoexpiry.cache.hits"));
    }

    [Fact]
    public async Task AKeyHoldingAnotherType_CountsAsAMiss_NotAnError()
    {
        var cache = CreateCache();
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);
        await Inspector.HashSetAsync(Prefix() + "hash", "field", "value"); // GET answers WRONGTYPE

        Assert.Null(await cache.GetAsync("hash"));
        Assert.Null(cache.Get("hash"));

        Assert.Equal(2, meter.Sum("redisautoexpiry.cache.misses", Distributed));
        Assert.Equal(0, meter.Sum("redisautoexpiry.cache.errors"));
    }

    [Fact]
    public async Task AWriteOfAnEntryAlreadyPastItsExpiration_IsNotASet()
    {
        // The app's clock runs 10 minutes behind Redis's: "in one minute" by the app is nine minutes ago by Redis,
        // so the script deletes instead of writing.
        var clock = new RedisAutoExpiry.Testing.SkewedTimeProvider(TimeSpan.FromMinutes(-10));
        var cache = CreateCache(o => o.TimeProvider = clock);
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);

        await cache.SetAsync("late", [1], new() { AbsoluteExpiration = clock.GetUtcNow().AddMinutes(1) });

        Assert.Null(await cache.GetAsync("late"));
        Assert.Equal(0, meter.Sum("redisautoexpiry.cache.sets"));
        Assert.Equal(1, meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "set")));
    }

    [Fact]
    public async Task TagEvictions_CountTheTagsAndTheEntriesTheyDeleted()
    {
        var cache = CreateCache();
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);
        for (var i = 0; i < 3; i++)
        {
            await cache.SetAsync($"e{i}", [1], OneMinute, ["shared"]);
        }

        Assert.Equal(3, await cache.EvictByTagAsync("shared"));
        Assert.Equal(0, await cache.EvictByTagsAsync(["shared", "unused"]));

        Assert.Equal(3, meter.Sum("redisautoexpiry.cache.evictions"));
        Assert.Equal(3, meter.Sum("redisautoexpiry.cache.evicted_entries"));
    }

    [Fact]
    public async Task EveryRedisCall_IsTimed_WithItsOperation()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);

        await cache.SetAsync("a", [1], OneMinute);
        await cache.GetAsync("a");
        cache.Get("a");
        await cache.RemoveAsync("a");

        Assert.Equal(2, meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "get")));
        Assert.Equal(1, meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "set")));
        Assert.Equal(1, meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "remove")));
        Assert.All(meter.All.Where(m => m.Instrument == "redisautoexpiry.operation.duration"), m => Assert.InRange(m.Value, 0, 5));
    }

    [Fact]
    public async Task Timeouts_AreCountedAsErrors_AndTheBreakerGaugeShowsItOpen_ThenClosed()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = await ConnectedCacheAsync(redis, timeoutMs: 200, breakAfter: 2);
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);
        meter.Observe();
        Assert.Equal(0, meter.Last("redisautoexpiry.circuit.open", ("redisautoexpiry.circuit", "cache_calls")));

        await PauseAsync(redis, 1500);
        await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync("entry"));
        await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync("entry"));
        await Assert.ThrowsAsync<RedisUnavailableException>(() => cache.GetAsync("entry"));

        Assert.Equal(2, meter.Sum("redisautoexpiry.cache.errors", ("error.type", "timeout"), ("redisautoexpiry.operation", "get")));
        Assert.Equal(1, meter.Sum("redisautoexpiry.cache.errors", ("error.type", "circuit_open")));
        Assert.Equal(0, meter.Count("redisautoexpiry.operation.duration", ("error.type", "circuit_open"))); // nothing was sent
        meter.Observe();
        Assert.Equal(1, meter.Last("redisautoexpiry.circuit.open", ("redisautoexpiry.circuit", "cache_calls")));

        await EventuallyAsync(() => AnswersAsync(cache), TimeSpan.FromSeconds(5), "the breaker closes after the pause");
        meter.Observe();
        Assert.Equal(0, meter.Last("redisautoexpiry.circuit.open", ("redisautoexpiry.circuit", "cache_calls")));
    }

    [Fact]
    public async Task ErrorReplies_AreCountedAsServerErrors()
    {
        var cache = CreateCache();
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);
        await Inspector.StringSetAsync(Prefix() + "#rae:tag:broken", "a string where a tag set belongs"); // SADD: WRONGTYPE

        await Assert.ThrowsAsync<StackExchange.Redis.RedisServerException>(() => cache.SetAsync("a", [1], OneMinute, ["broken"]));

        Assert.Equal(1, meter.Sum("redisautoexpiry.cache.errors", ("error.type", "server_error"), ("redisautoexpiry.operation", "set")));
        Assert.Equal(0, meter.Sum("redisautoexpiry.cache.sets"));
    }
}
