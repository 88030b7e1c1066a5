using System.Diagnostics;
using RedisAutoExpiry.Entries;
using RedisAutoExpiry.Testing;
using RedisAutoExpiry.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.DistributedCaching;

/// <summary>Relative and sliding expiry are durations timed by Redis: an app server's clock that is off changes nothing.</summary>
public sealed class RedisAutoExpiryCacheClockTests : RedisTestBase
{
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task RelativeAndSlidingExpiry_DoNotDependOnTheAppServersClock(int skewHours)
    {
        var variant = skewHours.ToString();
        var cache = await CreateConnectedCacheAsync(o => o.TimeProvider = new SkewedTimeProvider(TimeSpan.FromHours(skewHours)), variant);
        var prefix = Prefix(variant);

        await cache.SetAsync("relative", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(800) });
        await cache.SetAsync("sliding", [1], new() { SlidingExpiration = TimeSpan.FromMilliseconds(800) });
        await cache.SetAsync("capped", [1], new()
        {
            SlidingExpiration = TimeSpan.FromMilliseconds(700),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(1600),
        });
        var clock = Stopwatch.StartNew();

        Assert.InRange(await PttlAsync(prefix + "relative"), 600, 800);
        Assert.InRange(await PttlAsync(prefix + "sliding"), 600, 800);
        Assert.InRange(await PttlAsync(prefix + "capped"), 500, 700);

        // The cap stored for later refreshes comes from Redis's TIME, not from the skewed clock.
        var redisNow = await RedisNowAsync();
        Assert.True(EntryHeader.TryRead((byte[])(await Inspector.StringGetAsync(prefix + "capped"))!, out var header));
        Assert.InRange(header.CapUnixMilliseconds, redisNow + 1200, redisNow + 1600);

        // Read every 100 ms: the sliding window keeps the entry past 700 ms; the cap ends it near 1600 ms.
        long goneAt = -1;
        while (clock.ElapsedMilliseconds < 3000)
        {
            var readAt = clock.ElapsedMilliseconds;
            if (await cache.GetAsync("capped") is null)
            {
                goneAt = readAt;
                break;
            }

            await Task.Delay(100);
        }

        Assert.InRange(goneAt, 900, 1900);
        Assert.False(await Inspector.KeyExistsAsync(prefix + "relative"));
    }

    private async Task<long> RedisNowAsync()
    {
        var time = (RedisResult[])(await Inspector.ExecuteAsync("TIME"))!;
        return (long)time[0] * 1000 + (long)time[1] / 1000;
    }
}
