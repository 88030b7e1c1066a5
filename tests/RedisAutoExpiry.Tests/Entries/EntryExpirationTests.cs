using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Entries;
using RedisAutoExpiry.Testing;

namespace RedisAutoExpiry.Tests.Entries;

public sealed class EntryExpirationTests
{
    private static readonly DistributedCacheEntryOptions FiveMinutes = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) };

    [Fact]
    public void From_TakesTheDefaults_WhenTheOptionsSetNoExpiry()
    {
        var expiration = EntryExpiration.From(new DistributedCacheEntryOptions(), FiveMinutes, allowNone: false, TimeProvider.System);

        Assert.Equal(new EntryExpiration(300_000, 0, 0), expiration);
    }

    [Fact]
    public void From_RefusesAnEntryWithoutExpiry_UnlessTheAppOptedIn()
    {
        var none = new DistributedCacheEntryOptions();

        Assert.Throws<InvalidOperationException>(() => EntryExpiration.From(none, none, allowNone: false, TimeProvider.System));
        Assert.True(EntryExpiration.From(none, none, allowNone: true, TimeProvider.System).IsNone);
    }

    [Fact]
    public void From_RejectsAnAbsoluteExpirationThatHasPassed_ByTheConfiguredClock()
    {
        var clock = new SkewedTimeProvider(TimeSpan.FromHours(1));
        var inTenMinutes = new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddMinutes(10) };

        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => EntryExpiration.From(inTenMinutes, FiveMinutes, false, clock));
        Assert.Contains("must be in the future", exception.Message);
        var unixMilliseconds = inTenMinutes.AbsoluteExpiration!.Value.ToUnixTimeMilliseconds();
        Assert.InRange(EntryExpiration.From(inTenMinutes, FiveMinutes, false, TimeProvider.System).AbsoluteUnixMilliseconds,
            unixMilliseconds, unixMilliseconds + 1);
    }

    [Fact]
    public void From_RoundsSubMillisecondDurationsUp_SoAPositiveTtlNeverBecomesZero()
    {
        var options = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromTicks(1), AbsoluteExpirationRelativeToNow = TimeSpan.FromTicks(10_001) };

        var expiration = EntryExpiration.From(options, FiveMinutes, false, TimeProvider.System);

        Assert.Equal(1, expiration.SlidingMilliseconds);
        Assert.Equal(2, expiration.RelativeMilliseconds);
    }

    [Fact]
    public void From_KeepsTimeSpanMaxValue_AValidMillisecondCount()
    {
        var options = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.MaxValue, AbsoluteExpirationRelativeToNow = TimeSpan.MaxValue };

        var expiration = EntryExpiration.From(options, FiveMinutes, false, TimeProvider.System);

        Assert.Equal(EntryExpiration.MaximumMilliseconds, expiration.SlidingMilliseconds);
        Assert.Equal(EntryExpiration.MaximumMilliseconds, expiration.RelativeMilliseconds);
        Assert.Equal(TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond, TimeSpan.FromMilliseconds(expiration.SlidingMilliseconds).Ticks / TimeSpan.TicksPerMillisecond);
    }

    [Fact]
    public void From_RoundsAnAbsoluteInstantUp_ToTheNextMillisecond()
    {
        var instant = DateTimeOffset.UnixEpoch.AddYears(60).AddTicks(1);
        var options = new DistributedCacheEntryOptions { AbsoluteExpiration = instant };

        var expiration = EntryExpiration.From(options, FiveMinutes, false, new SkewedTimeProvider(-TimeSpan.FromDays(365 * 100)));

        Assert.Equal(instant.ToUnixTimeMilliseconds() + 1, expiration.AbsoluteUnixMilliseconds);
    }

    [Theory]
    [InlineData(true, false, false, false, false)]
    [InlineData(false, false, true, false, false)]
    [InlineData(false, true, false, true, false)]
    [InlineData(true, false, true, true, true)]
    [InlineData(false, true, true, true, true)]
    [InlineData(true, true, false, true, false)]
    public void ServerClockAndCap_AreNeededOnlyWhenLimitsCombineOrAnInstantIsGiven(bool relative, bool absolute, bool sliding, bool needsServerClock, bool hasCap)
    {
        var expiration = new EntryExpiration(relative ? 1000 : 0, absolute ? 1_800_000_000_000 : 0, sliding ? 500 : 0);

        Assert.Equal(needsServerClock, expiration.NeedsServerClock);
        Assert.Equal(hasCap, expiration.HasCap);
    }
}
