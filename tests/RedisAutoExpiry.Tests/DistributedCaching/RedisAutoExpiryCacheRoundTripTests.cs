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
    public async Task GetOfAnEntryWithoutSlidingExpiry_IsOnePlainGet_AndSetIsOneScript()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        var key = Prefix() + "plain";
        await cache.SetAsync("warm-up", [1], new()); // the client loads a script on its first use; count the steady state
        await using var monitor = await MonitorSession.StartAsync(Server);

        await cache.SetAsync("plain", Bytes(1024), new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(60_500) });
        await cache.GetAsync("plain");
        cache.Get("plain");
        await cache.GetAsync("sentinel");

        var commands = await monitor.ReadUntilAsync(Prefix() + "sentinel", key, Wait);
        Assert.Collection(commands,
            set => Assert.Matches($"^\\[0 127\\.0\\.0\\.1:\\d+\\] \"EVALSHA\" \"[0-9a-f]{{40}}\" \"2\" \"{key}\" ", set),
            write => Assert.Matches($"^\\[0 lua\\] \"SET\" \"{key}\" .* \"PX\" \"60500\"$", write),
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
        // Every chunk through the proxy waits 40 ms each way, so a round trip costs ~80 ms and dwarfs the machine's
        // own speed: the latency then counts round trips.
        await using var proxy = new DelayProxy(Server.Port, TimeSpan.FromMilliseconds(40));
        var cache = CreateCache(o => { o.Configuration = $"{proxy.Endpoint},connectTimeout=5000,syncTimeout=5000"; WithoutTagMaintenance(o); });
        await cache.SetAsync("plain", Bytes(1024), new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        await cache.SetAsync("sliding", Bytes(1024), new() { SlidingExpiration = TimeSpan.FromMinutes(1) });
        await cache.SetAsync("capped", Bytes(1024), new() { SlidingExpiration = TimeSpan.FromMinutes(1), AbsoluteExpiration = DateTimeOffset.UtcNow.AddMinutes(2) });

        // Interleaved rounds, medians per kind: a stall of this busy machine then hits one round, not one kind.
        Func<Task<byte[]?>>[] calls =
        [
            () => cache.GetAsync("plain"),
            () => cache.GetAsync("sliding"),
            () => cache.GetAsync("capped"),
            async () =>
            {
                await cache.GetAsync("plain");
                return await cache.GetAsync("plain");
            },
        ];
        var medians = await InterleavedMediansAsync(calls, rounds: 9);
        var (plain, sliding, capped, twoRoundTrips) = (medians[0], medians[1], medians[2], medians[3]);

        Assert.True(twoRoundTrips > 1.7 * plain, $"control: two round trips {twoRoundTrips} ms vs one {plain} ms");
        Assert.True(sliding < 1.3 * plain, $"sliding Get {sliding} ms vs plain Get {plain} ms");
        Assert.True(capped < 1.3 * plain, $"capped sliding Get {capped} ms vs plain Get {plain} ms");
    }

    private static async Task<double[]> InterleavedMediansAsync(Func<Task<byte[]?>>[] calls, int rounds)
    {
        foreach (var call in calls)
        {
            Assert.NotNull(await call()); // warm-up, and the entry must be there
        }

        var samples = calls.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < calls.Length; i++)
            {
                var clock = Stopwatch.StartNew();
                Assert.NotNull(await calls[i]());
                samples[i].Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return samples.Select(kind => kind.Order().ElementAt(kind.Count / 2)).ToArray();
    }
}
