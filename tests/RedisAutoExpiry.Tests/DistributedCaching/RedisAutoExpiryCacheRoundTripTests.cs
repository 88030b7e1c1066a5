using System.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Testing;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.DistributedCaching;

/// <summary>What the cache sends Redis per call, counted with MONITOR, and how many round trips a caller waits for.</summary>
public sealed class RedisAutoExpiryCacheRoundTripTests : RedisTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task GetOfAnEntryWithoutSlidingExpiry_IsOnePlainGet_AndAnUntaggedSetIsOnePlainSet()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        var key = Prefix() + "plain";
        await using var monitor = await MonitorSession.StartAsync(Server);

        await cache.SetAsync("plain", Bytes(1024), new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(60_500) });
        await cache.GetAsync("plain");
        cache.Get("plain");
        await cache.GetAsync("sentinel");

        var commands = await monitor.ReadUntilAsync(Prefix() + "sentinel", key, Wait);
        Assert.Collection(commands,
            set => Assert.Matches($"^\\[0 127\\.0\\.0\\.1:\\d+\\] \"PSETEX\" \"{key}\" \"60500\" ", set),
            get => Assert.Matches($"^\\[0 127\\.0\\.0\\.1:\\d+\\] \"GET\" \"{key}\"$", get),
            get => Assert.Matches($"^\\[0 127\\.0\\.0\\.1:\\d+\\] \"GET\" \"{key}\"$", get));
    }

    [Fact]
    public async Task SlidingGet_SendsTheGet_ThenOneRefreshScriptThatChecksTheHeader()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("sliding", [1], new() { SlidingExpiration = TimeSpan.FromMilliseconds(61_500) });
        await cache.SetAsync("capped", [1], new() { SlidingExpiration = TimeSpan.FromMinutes(1), AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(2) });
        await cache.RefreshAsync("capped"); // the client loads a script on its first use (awaited here); count the steady state
        await using var monitor = await MonitorSession.StartAsync(Server);

        await cache.GetAsync("sliding");
        await cache.GetAsync("capped");
        await cache.GetAsync("sentinel");

        var commands = await monitor.ReadUntilAsync(Prefix() + "sentinel", Prefix(), Wait);
        var fromClient = commands.Where(c => !c.Contains(" lua]", StringComparison.Ordinal)).Select(Command).ToList();
        Assert.Equal(["GET sliding", "EVALSHA sliding", "GET capped", "EVALSHA capped"], fromClient);
        Assert.Equal(["GETRANGE sliding", "PEXPIRE sliding", "GETRANGE capped", "PEXPIRE capped", "PEXPIREAT capped"],
            commands.Where(c => c.Contains(" lua]", StringComparison.Ordinal)).Select(Command));

        string Command(string line)
        {
            var parts = line[(line.IndexOf(']') + 2)..].Split(' ');
            var name = parts[0].Trim('"');
            var keyPart = name == "EVALSHA" ? parts[3] : parts[1];
            return $"{name} {keyPart.Trim('"')[Prefix().Length..]}";
        }
    }

    [Fact]
    public async Task SlidingGet_WaitsForOneRoundTrip_LikeAPlainGet_NotTwo()
    {
        // Every chunk through the proxy waits 40 ms each way, so one round trip costs at least 80 ms and two at least
        // 160 ms, whatever the machine does. A busy machine only adds time, so one answer under 120 ms proves a
        // call waited for one round trip; the test retries until it sees one, within a deadline.
        const int OneWayMs = 40;
        await using var proxy = new DelayProxy(Server.Port, TimeSpan.FromMilliseconds(OneWayMs));
        var cache = CreateCache(o => { o.Configuration = $"{proxy.Endpoint},connectTimeout=5000,syncTimeout=5000"; WithoutTagMaintenance(o); });
        await cache.SetAsync("plain", Bytes(1024), new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        await cache.SetAsync("sliding", Bytes(1024), new() { SlidingExpiration = TimeSpan.FromMinutes(1) });
        await cache.SetAsync("capped", Bytes(1024), new() { SlidingExpiration = TimeSpan.FromMinutes(1), AbsoluteExpiration = DateTimeOffset.UtcNow.AddMinutes(2) });
        const double OneRoundTripAtMost = 3 * OneWayMs;

        // The control: two awaited Gets can never beat the proxy's floor, so the proxy does delay every round trip.
        var twoRoundTrips = await FastestAsync(async () => { await cache.GetAsync("plain"); return await cache.GetAsync("plain"); }, double.MaxValue);
        Assert.True(twoRoundTrips >= 4 * OneWayMs - 5, $"control: two round trips took {twoRoundTrips} ms, under the proxy's floor");

        Assert.True(await FastestAsync(() => cache.GetAsync("plain"), OneRoundTripAtMost) < OneRoundTripAtMost, "plain Get never answered within one round trip");
        var sliding = await FastestAsync(() => cache.GetAsync("sliding"), OneRoundTripAtMost);
        Assert.True(sliding < OneRoundTripAtMost, $"sliding Get: fastest of many took {sliding} ms, two round trips");
        var capped = await FastestAsync(() => cache.GetAsync("capped"), OneRoundTripAtMost);
        Assert.True(capped < OneRoundTripAtMost, $"capped sliding Get: fastest of many took {capped} ms, two round trips");
    }

    /// <summary>The fastest of up to 30 calls (at least 3), stopping early once one is under <paramref name="enough"/> ms.</summary>
    private static async Task<double> FastestAsync(Func<Task<byte[]?>> call, double enough)
    {
        Assert.NotNull(await call()); // warm-up, and the entry must be there
        var fastest = double.MaxValue;
        for (var attempt = 0; attempt < 30 && (attempt < 3 || fastest >= enough); attempt++)
        {
            var clock = Stopwatch.StartNew();
            Assert.NotNull(await call());
            fastest = Math.Min(fastest, clock.Elapsed.TotalMilliseconds);
        }

        return fastest;
    }
}
