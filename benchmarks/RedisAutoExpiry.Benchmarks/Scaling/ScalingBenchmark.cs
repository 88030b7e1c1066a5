using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Benchmarks.Report;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks.Scaling;

/// <summary>
/// How the cost grows with the work: Get and Set throughput and p99 latency at 1, 8, 64 and 256 concurrent callers
/// (1 KiB values), and with 100 B, 1 KiB, 64 KiB and 1 MiB values (8 callers), each beside the raw client's GET or
/// SET PX on the same multiplexer. Each cell alternates raw and cache for several rounds of a fixed duration and
/// keeps the medians; latencies are timed per call. Not BenchmarkDotNet: the p99 of concurrent calls is the point.
/// <code>dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- scaling [--rounds 3] [--milliseconds 700] [--only Get:64:1024]
/// [--json file]</code> (<c>--only operation:callers:bytes</c> measures that one cell: many rounds of one case, such as
/// P1's, say more on a noisy machine than three rounds of each).
/// </summary>
internal static class ScalingBenchmark
{
    private static readonly int[] CallerCounts = [1, 8, 64, 256];
    private static readonly int[] ValueSizes = [100, 1024, 64 * 1024, 1024 * 1024];
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(1);
    private static readonly DistributedCacheEntryOptions Options = new() { AbsoluteExpirationRelativeToNow = Ttl };

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Statistics.IntOption(args, "--rounds", 3);
        var duration = TimeSpan.FromMilliseconds(Statistics.IntOption(args, "--milliseconds", 700));
        await using var redis = await RedisFixture.StartAsync();
        var cells = new List<ScalingCell>();
        var only = Statistics.Option(args, "--only");
        var grid = CallerCounts.Select(callers => (callers, size: 1024))
            .Concat(ValueSizes.Where(size => size != 1024).Select(size => (callers: 8, size)));
        foreach (var (callers, size) in grid)
        {
            foreach (var operation in new[] { "Get", "Set" })
            {
                if (only is not null && only != $"{operation}:{callers}:{size}")
                {
                    continue;
                }

                var cell = await MeasureCellAsync(redis, operation, callers, size, rounds, duration);
                cells.Add(cell);
                Console.WriteLine($"{operation,-4} {callers,3} callers {size,8} B: raw {cell.RawOpsPerSecond,9:N0}/s p99 {cell.RawP99Milliseconds,7:0.000} ms | " +
                                  $"cache {cell.CacheOpsPerSecond,9:N0}/s p99 {cell.CacheP99Milliseconds,7:0.000} ms | {cell.Ratio:0.00}x");
            }
        }

        await ResultFile.WriteAsync(args, cells);
        return 0;
    }

    private static async Task<ScalingCell> MeasureCellAsync(RedisFixture redis, string operation, int callers, int size, int rounds, TimeSpan duration)
    {
        var value = new byte[size];
        Random.Shared.NextBytes(value);
        var rawKey = $"scale:raw:{size}";
        var cacheKey = $"scale:cache:{size}";
        await redis.Database.StringSetAsync(rawKey, value, Ttl);
        await redis.Cache.SetAsync(cacheKey, value, Options);
        Func<int, Task> raw = operation == "Get"
            ? _ => redis.Database.StringGetAsync(rawKey)
            : caller => redis.Database.StringSetAsync($"{rawKey}:{caller}", value, Ttl);
        Func<int, Task> cache = operation == "Get"
            ? _ => redis.Cache.GetAsync(cacheKey)
            : caller => redis.Cache.SetAsync($"{cacheKey}:{caller}", value, Options);

        // A short warm-up: a Get or Set of one key needs little.
        var (rawRounds, cacheRounds) = await LoadRound.AlternateAsync(callers, raw, cache, rounds, duration, warmUp: duration / 4);

        return new ScalingCell(operation, callers, size,
            Statistics.Median(rawRounds.Select(r => r.Rate)), Statistics.Median(cacheRounds.Select(r => r.Rate)),
            Statistics.Median(rawRounds.Select(r => r.P99)), Statistics.Median(cacheRounds.Select(r => r.P99)));
    }
}
