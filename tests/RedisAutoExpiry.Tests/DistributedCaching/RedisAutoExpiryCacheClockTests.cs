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

        // Durations far longer than any stall, so the TTLs Redis gives can be checked closely: a skewed clock would be
        // off by an hour.
        await AssertTtlOfWriteAsync(() => cache.SetAsync("relative", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(60) }),
            prefix + "relative", 60_000);
        await AssertTtlOfWriteAsync(() => cache.SetAsync("sliding", [1], new() { SlidingExpiration = TimeSpan.FromSeconds(60) }),
            prefix + "sliding", 60_000);
        var clock = await AssertTtlOfWriteAsync(() => cache.SetAsync("capped", [1], new()
        {
            SlidingExpiration = TimeSpan.FromSeconds(50),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(70),
        }), prefix + "capped", 50_000);

        // The cap stored for later refreshes comes from Redis's TIME, not from the skewed clock.
        var redisNow = await RedisNowAsync();
        Assert.True(EntryHeader.TryRead((byte[])(await Inspector.StringGetAsync(prefix + "capped"))!, out var header));
        Assert.InRange(header.CapUnixMilliseconds, redisNow + 70_000 - clock.ElapsedMilliseconds - 1, redisNow + 70_000);

        // A short relative entry is gone once its time has passed by Redis's clock, whatever the app's says.
        await cache.SetAsync("short", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(300) });

        // Read every 100 ms: the sliding window keeps the entry past 700 ms; the cap ends it near 1600 ms. A stall
        // of this machine longer than the window lets the entry expire early, as it should; that attempt proves
        // nothing and is run again with a fresh entry.
        for (var attempt = 1; await ReadUntilCappedAsync(cache, $"capped{attempt}") is { } stall; attempt++)
        {
            Assert.True(attempt < 3, $"three attempts stalled: {stall}");
        }

        Assert.False(await Inspector.KeyExistsAsync(prefix + "short"));
    }

    // Returns null when the entry lived past its window through use and ended at its cap, or the trace of a stall.
    private static async Task<string?> ReadUntilCappedAsync(RedisAutoExpiryCache cache, string key)
    {
        await cache.SetAsync(key, [1], new()
        {
            SlidingExpiration = TimeSpan.FromMilliseconds(700),
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(1600),
        });
        var clock = Stopwatch.StartNew();
        var lastFoundStarted = 0L;
        var trace = new List<string>();
        while (clock.ElapsedMilliseconds < 3000)
        {
            var started = clock.ElapsedMilliseconds;
            var found = await cache.GetAsync(key) is not null;
            var finished = clock.ElapsedMilliseconds;
            trace.Add($"{started}-{finished}{(found ? "" : " gone")}");

            // Redis saw this read at or after `started`, and the cap lies 1600 ms after the write, before the clock began.
            Assert.False(found && started > 1700, "the entry outlived its cap: " + string.Join(" ", trace));
            if (!found)
            {
                if (finished - lastFoundStarted >= 700 && finished < 1500)
                {
                    return string.Join(" ", trace); // no read reached Redis for a whole window
                }

                Assert.True(finished >= 900, "the entry expired while in use: " + string.Join(" ", trace));
                return null;
            }

            lastFoundStarted = started;
            await Task.Delay(100);
        }

        Assert.Fail("the entry never expired: " + string.Join(" ", trace));
        return null;
    }

    private async Task<long> RedisNowAsync()
    {
        var time = (RedisResult[])(await Inspector.ExecuteAsync("TIME"))!;
        return (long)time[0] * 1000 + (long)time[1] / 1000;
    }
}
