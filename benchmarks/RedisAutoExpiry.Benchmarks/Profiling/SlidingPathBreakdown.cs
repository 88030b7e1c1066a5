using RedisAutoExpiry.Benchmarks.Report;
using RedisAutoExpiry.Redis;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks.Profiling;

/// <summary>
/// Where P2a's gap lies: one caller Gets the sliding 1 KiB entry through each layer the cache adds to the raw script,
/// in alternating short rounds, each layer's median latency taken against the two-round-trip baseline's in the same
/// round. Layers: the baseline; a raw <c>GET</c> (the floor of one round trip); the raw <c>EVALSHA</c> of
/// <see cref="LuaScripts.GetSliding"/>; that call awaited inside one more async method and bounded by
/// <see cref="ReplyWatchdog"/>; <see cref="RedisStore.GetSlidingAsync"/> (plus breaker, metrics and span); and the
/// cache's <c>GetAsync</c> (plus key check, the choice of read and decoding).
/// <code>dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- sliding-path [--rounds 41] [--milliseconds 150]</code>
/// </summary>
internal static class SlidingPathBreakdown
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Statistics.IntOption(args, "--rounds", 41);
        var duration = TimeSpan.FromMilliseconds(Statistics.IntOption(args, "--milliseconds", 150));
        await using var redis = await RedisFixture.StartAsync();
        SlidingEntries.Write(redis);
        var database = redis.Database;
        RedisKey entry = redis.Cache.Store.Layout.Entry(SlidingEntries.CacheKey);
        var sha = ScriptHashes.Of(LuaScripts.GetSliding);
        RedisKey[] keys = [entry];
        await database.ScriptEvaluateAsync(LuaScripts.GetSliding, keys); // files the script under its SHA
        using var watchdog = new ReplyWatchdog(TimeSpan.FromSeconds(5));
        var layers = new (string Name, Func<int, Task> Call)[]
        {
            ("two-round-trip baseline", _ => SlidingEntries.TwoRoundTripGetAsync(database)),
            ("raw GET", _ => database.StringGetAsync(entry)),
            ("raw EVALSHA GetSliding", _ => database.ScriptEvaluateAsync(sha, keys)),
            ("+ wrapper and bound", async _ => await watchdog.WaitAsync(database.ScriptEvaluateAsync(sha, keys))),
            ("RedisStore.GetSlidingAsync", async _ => await redis.Cache.Store.GetSlidingAsync(SlidingEntries.CacheKey, CancellationToken.None).ConfigureAwait(false)),
            ("cache GetAsync", _ => redis.Cache.GetAsync(SlidingEntries.CacheKey)),
        };

        foreach (var layer in layers)
        {
            await LoadRound.MeasureAsync(1, layer.Call, duration); // warm-up
        }

        var medians = layers.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            // Forward, then backward: no layer always runs right after the same one.
            var order = round % 2 == 0 ? Enumerable.Range(0, layers.Length) : Enumerable.Range(0, layers.Length).Reverse();
            foreach (var i in order)
            {
                medians[i].Add((await LoadRound.MeasureAsync(1, layers[i].Call, duration)).Median);
            }
        }

        for (var i = 0; i < layers.Length; i++)
        {
            var ratio = Statistics.Median(medians[i].Zip(medians[0], (layer, baseline) => layer / baseline));
            Console.WriteLine($"{layers[i].Name,-28} {Statistics.Median(medians[i]) * 1000,7:0.0} µs  {ratio:0.00}x of the baseline (median of {rounds} rounds' ratios)");
        }

        return 0;
    }
}
