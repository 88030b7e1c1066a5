using RedisAutoExpiry.Testing;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Tagging;

/// <summary>GetWithTimeToLiveAsync returns the value and Redis's PTTL from one round trip.</summary>
public sealed class GetWithTimeToLiveTests : RedisTestBase
{
    [Fact]
    public async Task ReturnsTheValue_AndTheRemainingTtl()
    {
        var cache = CreateCache();
        await cache.SetAsync("entry", [1, 2, 3], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30) });

        var result = await cache.GetWithTimeToLiveAsync("entry");

        Assert.NotNull(result);
        Assert.Equal([1, 2, 3], result.Value.Value);
        Assert.InRange(result.Value.TimeToLive!.Value.TotalMilliseconds, 25_000, 30_000);
    }

    [Fact]
    public async Task ASlidingEntry_IsExtendedFirst_AndTheExtendedTtlIsReturned()
    {
        var cache = CreateCache();
        await cache.SetAsync("entry", [1], new() { SlidingExpiration = TimeSpan.FromSeconds(20) });
        await Inspector.ExecuteAsync("PEXPIRE", Prefix() + "entry", 3000);

        var result = await cache.GetWithTimeToLiveAsync("entry");

        Assert.InRange(result!.Value.TimeToLive!.Value.TotalMilliseconds, 15_000, 20_000);
        Assert.InRange(await PttlAsync(Prefix() + "entry"), 15_000, 20_000);
    }

    [Fact]
    public async Task AMiss_ReturnsNull_AndAnEntryWithoutExpiry_HasNoTtl()
    {
        var cache = CreateCache(o => { o.AllowEntriesWithoutExpiration = true; o.DefaultEntryOptions = new(); });
        await cache.SetAsync("forever", [1], new());

        Assert.Null(await cache.GetWithTimeToLiveAsync("missing"));
        Assert.Null((await cache.GetWithTimeToLiveAsync("forever"))!.Value.TimeToLive);
    }

    [Fact]
    public async Task IsOneCommandFromTheClient()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("entry", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30) });
        await cache.GetWithTimeToLiveAsync("entry"); // the client loads the script on first use
        await using var monitor = await MonitorSession.StartAsync(Server);

        await cache.GetWithTimeToLiveAsync("entry");
        await cache.GetAsync("sentinel");

        var commands = await monitor.ReadUntilAsync(Prefix() + "sentinel", Prefix() + "entry", TimeSpan.FromSeconds(5));
        Assert.Single(commands, c => !c.Contains(" lua]", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Contains("\"PTTL\"", StringComparison.Ordinal) && c.Contains(" lua]", StringComparison.Ordinal));
    }
}
