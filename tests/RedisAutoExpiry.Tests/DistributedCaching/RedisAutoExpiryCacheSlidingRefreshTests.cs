using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.DistributedCaching;

/// <summary>
/// Concurrent sliding Gets of one entry share their background refreshes (one in flight per entry, one more after it
/// for the Gets meanwhile), and the entry still ends up a whole window past its last Get.
/// </summary>
public sealed class RedisAutoExpiryCacheSlidingRefreshTests : RedisTestBase
{
    private const int Rounds = 10;
    private const int Callers = 64;

    [Fact]
    public async Task ConcurrentSlidingGets_SendFewerRefreshesThanGets_AndLeaveTheEntryAWholeWindow()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);
        var window = TimeSpan.FromMinutes(1);
        await cache.SetAsync("hot", [1, 2, 3], new() { SlidingExpiration = window });

        for (var round = 0; round < Rounds; round++)
        {
            var values = await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => cache.GetAsync("hot")));
            Assert.All(values, value => Assert.Equal([1, 2, 3], value));
        }

        await EventuallyAsync(() => Task.FromResult(cache.Store.RefreshesInFlight == 0), TimeSpan.FromSeconds(5), "the refreshes complete");
        var refreshes = meter.Count("redisautoexpiry.operation.duration", ("redisautoexpiry.operation", "refresh"));
        Assert.InRange(refreshes, 1, Rounds * Callers / 2);

        // Shorten the TTL behind the cache's back: the next Get's refresh, even amid others, restores the window.
        await Inspector.ExecuteAsync("PEXPIRE", Prefix() + "hot", 5000);
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => cache.GetAsync("hot")));
        await EventuallyAsync(async () => await PttlAsync(Prefix() + "hot") > window.TotalMilliseconds - 5000, TimeSpan.FromSeconds(5),
            "the last refresh extends the entry by the whole window");
    }
}
