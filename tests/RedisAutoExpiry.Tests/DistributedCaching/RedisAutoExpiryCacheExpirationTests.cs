using System.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.DistributedCaching;

public sealed class RedisAutoExpiryCacheExpirationTests : RedisTestBase
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RelativeExpiration_BecomesTheKeysTtl_AndRedisDeletesTheEntryThen(bool async)
    {
        var cache = await CreateConnectedCacheAsync(variant: async.ToString());
        var key = Prefix(async.ToString()) + "entry";

        await AssertTtlOfWriteAsync(
            () => cache.SetAsync("entry", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(600) }, async), key, 600);
        await EventuallyAsync(async () => await cache.GetAsync("entry", async) is null, Deadline, "the entry expires");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AbsoluteExpiration_IsSentAsAnInstant_AndRedisDeletesTheEntryThen(bool async)
    {
        var cache = await CreateConnectedCacheAsync(variant: async.ToString());
        var key = Prefix(async.ToString()) + "entry";

        // The instant is rounded up to the next millisecond.
        await AssertTtlOfWriteAsync(
            () => cache.SetAsync("entry", [1], new() { AbsoluteExpiration = DateTimeOffset.UtcNow.AddMilliseconds(700) }, async), key, 700, roundUp: 1);
        await EventuallyAsync(async () => await cache.GetAsync("entry", async) is null, Deadline, "the entry expires");
    }

    [Theory]
    [InlineData(600_000, 60_000)]
    [InlineData(60_000, 600_000)]
    public async Task RelativeAndAbsoluteTogether_TheEarlierWins(int relativeMs, int absoluteMs)
    {
        var cache = await CreateConnectedCacheAsync(variant: $"{relativeMs}-{absoluteMs}");

        await AssertTtlOfWriteAsync(() => cache.SetAsync("entry", [1], new()
        {
            AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(relativeMs),
            AbsoluteExpiration = DateTimeOffset.UtcNow.AddMilliseconds(absoluteMs),
        }), Prefix($"{relativeMs}-{absoluteMs}") + "entry", 60_000, roundUp: 1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SlidingExpiration_BecomesTheKeysTtl(bool async)
    {
        var cache = await CreateConnectedCacheAsync(variant: async.ToString());

        await AssertTtlOfWriteAsync(() => cache.SetAsync("entry", [1], new() { SlidingExpiration = TimeSpan.FromSeconds(60) }, async),
            Prefix(async.ToString()) + "entry", 60_000);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task GetAndRefresh_ExtendSlidingExpiry_ForAsLongAsTheEntryIsUsed(bool async, bool refresh)
    {
        var variant = $"{async}-{refresh}";
        var cache = await CreateConnectedCacheAsync(variant: variant);

        // A machine that stalls this process (or Redis) for longer than the window lets the entry expire as it
        // should; such an attempt proves nothing either way and is run again. An early expiry always fails.
        for (var attempt = 1; ; attempt++)
        {
            var key = $"entry{attempt}";
            if (await UseForThreeWindowsAsync(cache, key, async, refresh) is { } stall)
            {
                Assert.True(attempt < 3, $"three attempts stalled: {stall}");
                continue;
            }

            Assert.InRange(await PttlAsync(Prefix(variant) + key), 1, 800);
            Assert.Equal([7], await cache.GetAsync(key, async));
            await EventuallyAsync(async () => !await Inspector.KeyExistsAsync(Prefix(variant) + key), Deadline, "the entry expires once unused");
            return;
        }
    }

    // Uses the entry every ~150 ms for three windows of 800 ms. Returns null when every use found it, or a description
    // of the stall that let it expire legitimately: no use reached Redis for a whole window.
    private static async Task<string?> UseForThreeWindowsAsync(RedisAutoExpiryCache cache, string key, bool async, bool refresh)
    {
        await cache.SetAsync(key, [7], new() { SlidingExpiration = TimeSpan.FromMilliseconds(800) }, async);
        var clock = Stopwatch.StartNew();
        var lastUseStarted = 0L; // the entry was written (or last found) at or after this time
        var trace = new List<string>();
        while (clock.ElapsedMilliseconds < 2400)
        {
            await Task.Delay(150);
            var started = clock.ElapsedMilliseconds;
            bool found;
            if (refresh)
            {
                await cache.RefreshAsync(key, async);
                found = true;
            }
            else
            {
                found = await cache.GetAsync(key, async) is [7];
            }

            var finished = clock.ElapsedMilliseconds;
            trace.Add($"{started}-{finished}");
            if (!found)
            {
                // Redis saw the last use at or after lastUseStarted and this one at or before finished.
                Assert.True(finished - lastUseStarted >= 800, "the entry expired while in use: " + string.Join(" ", trace));
                return "uses at " + string.Join(" ", trace);
            }

            lastUseStarted = started;
        }

        return refresh && await cache.GetAsync(key, async) is null ? "uses at " + string.Join(" ", trace) : null;
    }

    [Theory]
    [InlineData(false, "relative")]
    [InlineData(true, "relative")]
    [InlineData(false, "absolute")]
    [InlineData(true, "absolute")]
    public async Task Get_ExtendsSlidingExpiry_ButNeverPastAbsolute(bool async, string cap)
    {
        const int CapMs = 1500;
        var variant = $"{async}-{cap}";
        var cache = await CreateConnectedCacheAsync(variant: variant);
        var key = Prefix(variant) + "entry";
        var options = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMilliseconds(700) };
        var clock = Stopwatch.StartNew();
        if (cap == "relative")
        {
            options.AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(CapMs);
        }
        else
        {
            options.AbsoluteExpiration = DateTimeOffset.UtcNow.AddMilliseconds(CapMs);
        }

        await cache.SetAsync("entry", [1], options, async);

        long goneAt = -1;
        while (clock.ElapsedMilliseconds < CapMs + 1500)
        {
            var readAt = clock.ElapsedMilliseconds;
            if (await cache.GetAsync("entry", async) is null)
            {
                goneAt = readAt;
                break;
            }

            // The refresh just sent may extend by the window, but Redis keeps the TTL at or below the cap.
            var pttl = await PttlAsync(key);
            Assert.True(pttl <= CapMs - readAt + 50, $"PTTL {pttl} ms at {readAt} ms reaches past the {CapMs} ms cap");
            await Task.Delay(100);
        }

        Assert.InRange(goneAt, 1000, CapMs + 300);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Refresh_HasExtendedTheEntry_WhenItReturns(bool async)
    {
        var cache = CreateCache(variant: async.ToString());
        await cache.SetAsync("entry", [1], new() { SlidingExpiration = TimeSpan.FromMilliseconds(5000), AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) }, async);
        await Inspector.ExecuteAsync("PEXPIRE", Prefix(async.ToString()) + "entry", 1000);

        await cache.RefreshAsync("entry", async);

        // Read on another connection: no ordering with the cache's own connection helps here.
        Assert.InRange(await PttlAsync(Prefix(async.ToString()) + "entry"), 4000, 5000);
    }

    [Fact]
    public async Task TimeSpanMaxValue_IsAcceptedAsSlidingAndRelativeExpiration()
    {
        var cache = CreateCache();

        await cache.SetAsync("sliding", [1], new() { SlidingExpiration = TimeSpan.MaxValue, AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        await cache.SetAsync("relative", [2], new() { AbsoluteExpirationRelativeToNow = TimeSpan.MaxValue });

        Assert.Equal([1], await cache.GetAsync("sliding"));
        Assert.Equal([2], await cache.GetAsync("relative"));
        await cache.RefreshAsync("sliding");
        Assert.InRange(await PttlAsync(Prefix() + "sliding"), 3_500_000, 3_600_000);
        Assert.True(await PttlAsync(Prefix() + "relative") > 900_000_000_000_000);
    }

    [Fact]
    public async Task Get_DoesNotExtend_AnEntryWithoutSlidingExpiry()
    {
        var cache = CreateCache();
        await cache.SetAsync("entry", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(1000) });

        await Task.Delay(300);
        await cache.GetAsync("entry");
        cache.Refresh("entry");

        Assert.InRange(await PttlAsync(Prefix() + "entry"), 1, 750);
    }

    [Fact]
    public async Task OptionsWithoutExpiry_TakeTheConfiguredDefault()
    {
        var configured = CreateCache(o => o.DefaultEntryOptions = new() { SlidingExpiration = TimeSpan.FromSeconds(30) }, variant: "configured");
        var unconfigured = CreateCache(variant: "unconfigured");

        await configured.SetAsync("entry", [1], new DistributedCacheEntryOptions());
        await unconfigured.SetAsync("entry", [1]);

        Assert.InRange(await PttlAsync(Prefix("configured") + "entry"), 29_000, 30_000);
        Assert.InRange(await PttlAsync(Prefix("unconfigured") + "entry"), 299_000, 300_000);
    }

    [Fact]
    public async Task AnEntryWithoutTtl_IsStoredOnlyWhenTheAppOptsIn()
    {
        Assert.Throws<OptionsValidationException>(() => CreateCache(o => o.DefaultEntryOptions = new(), variant: "refused"));
        var cache = CreateCache(o =>
        {
            o.DefaultEntryOptions = new();
            o.AllowEntriesWithoutExpiration = true;
        });

        await cache.SetAsync("entry", [1], new DistributedCacheEntryOptions());

        Assert.Equal(-1, await PttlAsync(Prefix() + "entry"));
    }

    [Fact]
    public async Task Overwriting_ReplacesTheTtl_AndTheSlidingBehaviour()
    {
        var cache = CreateCache(o =>
        {
            o.DefaultEntryOptions = new();
            o.AllowEntriesWithoutExpiration = true;
        });
        var key = Prefix() + "entry";

        await cache.SetAsync("entry", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        await cache.SetAsync("entry", [2], new DistributedCacheEntryOptions());
        Assert.Equal(-1, await PttlAsync(key));

        await cache.SetAsync("entry", [3], new() { SlidingExpiration = TimeSpan.FromMinutes(1) });
        await cache.SetAsync("entry", [4], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(5) });
        Assert.Equal([4], await cache.GetAsync("entry"));
        Assert.InRange(await PttlAsync(key), 1, 5000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AbsoluteExpirationInThePast_Throws_AndLeavesTheExistingEntryAlone(bool async)
    {
        var cache = CreateCache(variant: async.ToString());
        await cache.SetAsync("entry", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) }, async);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            cache.SetAsync("entry", [2], new() { AbsoluteExpiration = DateTimeOffset.UtcNow.AddSeconds(-1) }, async));

        Assert.Equal([1], await cache.GetAsync("entry", async));
    }

    [Fact]
    public void ZeroOrNegativeRelativeAndSlidingExpiration_AreRejected()
    {
        // DistributedCacheEntryOptions refuses them itself, so such options never reach the cache.
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromSeconds(-1) });
    }
}
