using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Benchmarks.Report;

namespace RedisAutoExpiry.Benchmarks.SideBySide;

/// <summary>
/// P1, P2a, P2b and P3 with the baseline and the cache in one process, on one multiplexer and one redis-server, in
/// alternating rounds (baseline first, then cache first, and so on), each round's ratio taken against the round beside
/// it. BenchmarkDotNet runs each benchmark in a process of its own, one after the other, with a redis-server each; on a
/// shared VM whose speed drifts by 2-5x within minutes, that made a single run's ratio swing from 0.6x to 3x. A drift
/// slower than a round hits both sides of a pair alike, so the median of the pairs' ratios is what the targets are
/// judged by; BenchmarkDotNet's figures stay in the report beside them.
/// <code>dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- side-by-side [--rounds 41] [--milliseconds 150] [--json file]</code>
/// </summary>
internal static class SideBySideBenchmark
{
    private const int Callers = 64;
    private const int KeysPerCaller = 100;
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Statistics.IntOption(args, "--rounds", 41);
        var duration = TimeSpan.FromMilliseconds(Statistics.IntOption(args, "--milliseconds", 150));
        await using var redis = await RedisFixture.StartAsync();
        var results = new List<SideBySideResult>();
        foreach (var target in await CasesAsync(redis))
        {
            var result = await MeasureAsync(target, rounds, duration);
            results.Add(result);
            Console.WriteLine($"{result.Id,-4} baseline {result.BaselineRate,9:N0}/s median {result.BaselineMedianMilliseconds:0.000} ms | " +
                              $"cache {result.CacheRate,9:N0}/s median {result.CacheMedianMilliseconds:0.000} ms | " +
                              $"ratio {Statistics.Median(result.Ratios):0.00}x (rounds {string.Join(", ", result.Ratios.Select(r => r.ToString("0.00")))})");
        }

        await ResultFile.WriteAsync(args, results);
        return 0;
    }

    private static async Task<SideBySideCase[]> CasesAsync(RedisFixture redis)
    {
        const string getKey = "side:get";
        await redis.Cache.SetAsync(getKey, new byte[1024], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = Hour });
        SlidingEntries.Write(redis);

        // P3 as SetWithTagsBenchmarks: each caller cycles through keys of its own, so the tag sets stop growing.
        var value = new byte[1024];
        var keys = Enumerable.Range(0, Callers * KeysPerCaller).Select(i => $"side:set:{i}").ToArray();
        var rawTagSets = TaggedSetBaseline.TagSets("side:raw:tag:");
        var next = new int[Callers];
        string KeyOf(int caller) => keys[caller * KeysPerCaller + (next[caller]++ % KeysPerCaller)];
        var setOptions = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TaggedSetBaseline.Expiry };
        var database = redis.Database;

        return
        [
            new("P1", Latency: false, Callers, _ => database.StringGetAsync(getKey), _ => redis.Cache.GetAsync(getKey)),
            new("P2a", Latency: true, 1, _ => SlidingEntries.TwoRoundTripGetAsync(database), _ => redis.Cache.GetAsync(SlidingEntries.CacheKey)),
            new("P2b", Latency: false, Callers, _ => SlidingEntries.TwoRoundTripGetAsync(database), _ => redis.Cache.GetAsync(SlidingEntries.CacheKey)),
            new("P3", Latency: false, Callers,
                caller =>
                {
                    var key = KeyOf(caller);
                    return TaggedSetBaseline.SendAsync(database, "side:raw:" + key, key, value, rawTagSets);
                },
                caller => redis.Cache.SetAsync(KeyOf(caller), value, setOptions, TaggedSetBaseline.Tags)),
        ];
    }

    private static async Task<SideBySideResult> MeasureAsync(SideBySideCase target, int rounds, TimeSpan duration)
    {
        // The warm-up is a whole round: JIT tiers, connection buffers, tag sets filled.
        var (baseline, cache) = await LoadRound.AlternateAsync(target.Callers, target.Baseline, target.Cache, rounds, duration, warmUp: duration);
        var ratios = baseline.Zip(cache, (b, c) => target.Latency ? c.Median / b.Median : c.Rate / b.Rate).ToArray();
        return new SideBySideResult(target.Id, target.Latency, target.Callers,
            Statistics.Median(baseline.Select(r => r.Rate)), Statistics.Median(cache.Select(r => r.Rate)),
            Statistics.Median(baseline.Select(r => r.Median)), Statistics.Median(cache.Select(r => r.Median)), ratios);
    }
}
