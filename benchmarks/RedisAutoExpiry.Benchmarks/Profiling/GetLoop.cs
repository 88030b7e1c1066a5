using System.Diagnostics;
using RedisAutoExpiry.Benchmarks.Report;

namespace RedisAutoExpiry.Benchmarks.Profiling;

/// <summary>
/// A target for a profiler: 64 callers Get one 1 KiB entry for a while, through the cache (or the raw client with
/// <c>--raw</c>), as P1 does. <code>dotnet-trace collect --profile cpu-sampling -- dotnet RedisAutoExpiry.Benchmarks.dll get-loop [--seconds 10] [--raw]</code>
/// </summary>
internal static class GetLoop
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Statistics.IntOption(args, "--seconds", 10);
        var raw = args.Contains("--raw");
        await using var redis = await RedisFixture.StartAsync();
        await redis.Cache.SetAsync("profile", new byte[1024], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        Func<Task> get = raw ? () => redis.Database.StringGetAsync("profile") : () => redis.Cache.GetAsync("profile");
        var end = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        long calls = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                await get().ConfigureAwait(false);
                Interlocked.Increment(ref calls);
            }
        }));

        Console.WriteLine($"{(raw ? "raw" : "cache")}: {calls / (double)seconds:N0} Gets/s");
        return 0;
    }
}
