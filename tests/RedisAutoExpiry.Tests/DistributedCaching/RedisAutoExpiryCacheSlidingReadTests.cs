using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.DistributedCaching;

/// <summary>
/// A Get of a key last seen sliding, with no other Get of it in flight, reads and extends the entry in one script
/// (get_sliding) and sends no refresh after it; a key that no longer slides goes back to plain GETs.
/// </summary>
public sealed class RedisAutoExpiryCacheSlidingReadTests : RedisTestBase
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LoneGet_OfAKeyKnownToSlide_ExtendsTheEntryItself_AndSendsNoRefresh(bool async)
    {
        var cache = CreateCache(WithoutTagMaintenance, async ? "async" : "sync");
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);
        var redisKey = Prefix(async ? "async" : "sync") + "entry";
        await cache.SetAsync("entry", [1, 2, 3], new() { SlidingExpiration = Window });
        Assert.Equal([1, 2, 3], await FirstGetAsync(cache, "entry"));
        var refreshes = meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "refresh"));

        await Inspector.ExecuteAsync("PEXPIRE", redisKey, 5000);
        Assert.Equal([1, 2, 3], await GetAsync(cache, "entry", async));

        // Extended by the time the Get returns, with nothing left in flight and no refresh sent.
        Assert.InRange(await PttlAsync(redisKey), Window.TotalMilliseconds - 5000, Window.TotalMilliseconds);
        Assert.Equal(0, cache.Store.RefreshesInFlight);
        Assert.Equal(refreshes, meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "refresh")));
        Assert.Equal(1, meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "get_sliding")));
    }

    [Fact]
    public async Task OverlappingGets_OfAKeyKnownToSlide_MostlyStayPlain_AndLeaveNoneInFlight()
    {
        const int callers = 64;
        var cache = CreateCache(WithoutTagMaintenance);
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);
        await cache.SetAsync("entry", [1], new() { SlidingExpiration = Window });
        await FirstGetAsync(cache, "entry");

        var values = await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(() => cache.GetAsync("entry"))));
        Assert.All(values, value => Assert.Equal([1], value));
        var scripted = meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "get_sliding"));
        Assert.InRange(scripted, 1, callers / 2);
        await EventuallyAsync(() => Task.FromResult(cache.Store.RefreshesInFlight == 0), TimeSpan.FromSeconds(5), "the shared refreshes complete");

        // Every Get ended its count: the next lone one is the script again.
        await cache.GetAsync("entry");
        Assert.Equal(scripted + 1, meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "get_sliding")));
    }

    [Fact]
    public async Task LoneGet_OfACappedSlidingEntry_NeverExtendsItPastItsCap()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("entry", [1], new() { SlidingExpiration = Window, AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(20) });
        await FirstGetAsync(cache, "entry");

        Assert.Equal([1], await cache.GetAsync("entry"));

        Assert.InRange(await PttlAsync(Prefix() + "entry"), 1, 20_000);
    }

    [Fact]
    public async Task GetOfAKeyKnownToSlide_WrittenAgainWithoutSliding_KeepsTheNewTtl_AndLaterGetsArePlain()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);
        await cache.SetAsync("entry", [1], new() { SlidingExpiration = Window });
        await FirstGetAsync(cache, "entry");
        await cache.SetAsync("entry", [2], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(10) });

        Assert.Equal([2], await cache.GetAsync("entry")); // through the script, which leaves a non-sliding entry alone
        Assert.InRange(await PttlAsync(Prefix() + "entry"), 1, 10_000);
        Assert.Equal([2], await cache.GetAsync("entry"));

        Assert.Equal(1, meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "get_sliding")));
        Assert.Equal(2, meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "get")));
    }

    [Fact]
    public async Task GetOfAKeyKnownToSlide_NowHoldingAnotherRedisType_IsAMiss()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("entry", [1], new() { SlidingExpiration = Window });
        await FirstGetAsync(cache, "entry");
        await Inspector.KeyDeleteAsync(Prefix() + "entry");
        await Inspector.HashSetAsync(Prefix() + "entry", "field", "value");

        Assert.Null(await cache.GetAsync("entry"));
        Assert.Equal("hash", (await Inspector.KeyTypeAsync(Prefix() + "entry")).ToString().ToLowerInvariant());
    }

    // A plain GET, after which the cache knows the key slides; returns once its refresh has completed.
    private static async Task<byte[]?> FirstGetAsync(RedisAutoExpiryCache cache, string key)
    {
        var value = await cache.GetAsync(key);
        await EventuallyAsync(() => Task.FromResult(cache.Store.RefreshesInFlight == 0), TimeSpan.FromSeconds(5), "the first Get's refresh completes");
        return value;
    }

    private static async Task<byte[]?> GetAsync(RedisAutoExpiryCache cache, string key, bool async) =>
        async ? await cache.GetAsync(key) : await Task.Run(() => cache.Get(key));
}
