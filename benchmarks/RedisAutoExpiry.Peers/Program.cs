using System.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Benchmarks.Report;
using RedisAutoExpiry.Peers;
using RedisAutoExpiry.Testing;
using StackExchange.Redis;

// Our cache against Microsoft's on the same redis-server and multiplexer, in alternating rounds as the side-by-side
// verb runs them (see benchmarks/README.md):
//   dotnet run -c Release --project benchmarks/RedisAutoExpiry.Peers -- [--rounds 21] [--milliseconds 150] [--members 100000]
const int callers = 64;
var rounds = Statistics.IntOption(args, "--rounds", 21);
var duration = TimeSpan.FromMilliseconds(Statistics.IntOption(args, "--milliseconds", 150));
var members = Statistics.IntOption(args, "--members", 100_000);

await using var server = await RedisServer.StartAsync("default.conf");
using var multiplexer = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString());
await using var caches = new Caches(multiplexer);
var (microsoftCache, ourCache) = (caches.MicrosoftCache, caches.OurCache);
var (microsoftStore, ourStore) = (caches.MicrosoftStore, caches.OurStore);
Console.WriteLine($"Redis {multiplexer.GetServer(server.Endpoint).Version}, StackExchange.Redis {FileVersionInfo.GetVersionInfo(typeof(IDatabase).Assembly.Location).ProductVersion}, .NET {Environment.Version}");

var value = new byte[1024];
var hour = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };
var sliding = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(20) };
foreach (var cache in new[] { microsoftCache, ourCache })
{
    await cache.SetAsync("get", value, hour);
    await cache.SetAsync("sliding", value, sliding);
}

// Writers cycle through keys of their own, so sets stay the same size round after round.
const int keysPerCaller = 100;
var keys = Enumerable.Range(0, callers * keysPerCaller).Select(i => $"set:{i}").ToArray();
var next = new int[callers];
string KeyOf(int caller) => keys[caller * keysPerCaller + (next[caller]++ % keysPerCaller)];
string[] tags = ["all", "group-a", "group-b"];

PeerCase[] cases =
[
    new("Get hit, 1 KiB", false, callers, _ => microsoftCache.GetAsync("get"), _ => ourCache.GetAsync("get")),
    new("Get sliding, 1 caller (latency)", true, 1, _ => microsoftCache.GetAsync("sliding"), _ => ourCache.GetAsync("sliding")),
    new("Get sliding, 1 KiB", false, callers, _ => microsoftCache.GetAsync("sliding"), _ => ourCache.GetAsync("sliding")),
    new("Set, 1 KiB, absolute", false, callers, c => microsoftCache.SetAsync(KeyOf(c), value, hour), c => ourCache.SetAsync(KeyOf(c), value, hour)),
    new("Output cache Set, 3 tags", false, callers,
        c => microsoftStore.SetAsync("page:" + KeyOf(c), value, tags, TimeSpan.FromHours(1), default).AsTask(),
        c => ourStore.SetAsync("page:" + KeyOf(c), value, tags, TimeSpan.FromHours(1), default).AsTask()),
    new("Output cache Get hit", false, callers,
        _ => microsoftStore.GetAsync("page:set:0", default).AsTask(),
        _ => ourStore.GetAsync("page:set:0", default).AsTask()),
];

Console.WriteLine($"{"case",-34} {"Microsoft",12} {"ours",12}  ours/Microsoft (median of {rounds} paired rounds)");
foreach (var @case in cases)
{
    var (baseline, ours) = await LoadRound.AlternateAsync(@case.Callers, @case.Microsoft, @case.Ours, rounds, duration, warmUp: duration);
    string Figure(List<(double Rate, double Median, double P99)> side) => @case.Latency
        ? $"{Statistics.Median(side.Select(r => r.Median)) * 1000,9:0} µs"
        : $"{Statistics.Median(side.Select(r => r.Rate)),10:N0}/s";
    var ratios = baseline.Zip(ours, (m, o) => @case.Latency ? o.Median / m.Median : o.Rate / m.Rate).ToArray();
    Console.WriteLine($"{@case.Name,-34} {Figure(baseline),12} {Figure(ours),12}  {Statistics.Median(ratios):0.00}x" +
                      (@case.Latency ? " of the latency" : ""));
}

// Eviction of one tag with `members` entries: each store in turn, the order alternating between rounds (baseline
// first, then ours first), so a drift of the machine's speed does not land on one side only.
var evictions = new Dictionary<string, List<double>> { ["Microsoft"] = [], ["ours"] = [] };
for (var round = 0; round < 3; round++)
{
    var order = round % 2 == 0 ? new[] { ("Microsoft", microsoftStore), ("ours", ourStore) } : [("ours", ourStore), ("Microsoft", microsoftStore)];
    foreach (var (name, store) in order)
    {
        evictions[name].Add(await EvictAsync(store));
    }
}

Console.WriteLine($"Evict a {members:N0}-member tag: Microsoft {Statistics.Median(evictions["Microsoft"]):N0} ms " +
                  $"({string.Join(", ", evictions["Microsoft"].Select(m => m.ToString("N0")))}), ours {Statistics.Median(evictions["ours"]):N0} ms " +
                  $"({string.Join(", ", evictions["ours"].Select(m => m.ToString("N0")))}); ours/Microsoft " +
                  $"{Statistics.Median(evictions["ours"].Zip(evictions["Microsoft"], (o, m) => o / m)):0.00}x");

async Task<double> EvictAsync(Microsoft.AspNetCore.OutputCaching.IOutputCacheStore store)
{
    var pending = new List<Task>();
    for (var i = 0; i < members; i++)
    {
        pending.Add(store.SetAsync($"evict:{i}", value, ["big"], TimeSpan.FromHours(1), default).AsTask());
        if (pending.Count == 256)
        {
            await Task.WhenAll(pending);
            pending.Clear();
        }
    }

    await Task.WhenAll(pending);
    var clock = Stopwatch.StartNew();
    await store.EvictByTagAsync("big", default);
    var elapsed = clock.Elapsed.TotalMilliseconds;
    if (await store.GetAsync($"evict:{members - 1}", default) is not null)
    {
        throw new InvalidOperationException("An entry outlived its tag's eviction.");
    }

    return elapsed;
}
