using Microsoft.Extensions.Logging.Abstractions;
using RedisAutoExpiry.Redis;
using RedisAutoExpiry.Tagging;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.DistributedCaching;

/// <summary>
/// A sliding Get sends its refresh after the GET's reply. If another writer replaces the entry in between, the late
/// refresh must leave the new entry's TTL alone.
/// </summary>
public sealed class RedisAutoExpiryCacheSlidingRaceTests : RedisTestBase
{
    [Fact]
    public async Task ALateRefresh_DoesNotExtend_AnEntryReplacedSinceTheGet()
    {
        var options = new RedisAutoExpiryCacheOptions { Configuration = Server.ConnectionString(), InstanceName = Prefix() };
        await using var store = new RedisStore(new RedisConnection(options, NullLogger.Instance), new KeyLayout(options.InstanceName), options.Resilience, new RedisAutoExpiry.Diagnostics.CacheMetrics(null, null), NullLogger.Instance);
        var cache = CreateCache();
        var key = Prefix() + "entry";
        await cache.SetAsync("entry", [1], new() { SlidingExpiration = TimeSpan.FromMinutes(1) });
        var headerSeenByGet = ((byte[])(await Inspector.StringGetAsync(key))!)[..10];

        await cache.SetAsync("entry", [2], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(2) });
        store.ExtendInBackground("entry", headerSeenByGet);
        store.ExtendInBackground("entry", [0xAE, 0x10]); // the header of the new entry: not sliding, so still nothing

        await Task.Delay(100); // the refreshes go out in the background on the store's own connection
        Assert.InRange(await PttlAsync(key), 1, 2000);

        // The same refresh against the entry it was read from does extend it.
        await cache.SetAsync("entry", [3], new() { SlidingExpiration = TimeSpan.FromMinutes(1) });
        var current = ((byte[])(await Inspector.StringGetAsync(key))!)[..10];
        await Inspector.ExecuteAsync("PEXPIRE", key, 5000);
        store.ExtendInBackground("entry", current);
        await EventuallyAsync(async () => await PttlAsync(key) > 50_000, TimeSpan.FromSeconds(3), "the matching refresh extends the entry");
    }
}
