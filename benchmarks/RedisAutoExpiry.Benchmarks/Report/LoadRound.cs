using System.Diagnostics;

namespace RedisAutoExpiry.Benchmarks.Report;

/// <summary>
/// One round of load: <c>callers</c> concurrent loops, each awaiting one call after another until the time is up, every
/// call timed. What the verbs that put a baseline and the cache side by side in one process measure, round by round.
/// </summary>
internal static class LoadRound
{
    /// <summary>Calls per second over the round, and the median and p99 latency of its calls in milliseconds.</summary>
    public static async Task<(double Rate, double Median, double P99)> MeasureAsync(int callers, Func<int, Task> call, TimeSpan duration)
    {
        var latencies = new List<double>[callers];
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async caller =>
        {
            var mine = latencies[caller] = new List<double>(4096);
            long now;
            while ((now = Stopwatch.GetTimestamp()) < end)
            {
                await call(caller).ConfigureAwait(false);
                mine.Add(Stopwatch.GetElapsedTime(now).TotalMilliseconds);
            }
        }));

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = latencies.SelectMany(list => list).Order().ToArray();
        return (all.Length / elapsed, Statistics.Percentile(all, 0.5), Statistics.Percentile(all, 0.99));
    }

    /// <summary>
    /// A warm-up of each side, then <paramref name="rounds"/> rounds of each whose order alternates (baseline first, then
    /// cache first, …), so a drift of the machine's speed slower than a round hits both sides of a pair alike. Round i of
    /// one list was run beside round i of the other.
    /// </summary>
    public static async Task<(List<(double Rate, double Median, double P99)> Baseline, List<(double Rate, double Median, double P99)> Cache)> AlternateAsync(
        int callers, Func<int, Task> baseline, Func<int, Task> cache, int rounds, TimeSpan duration, TimeSpan warmUp)
    {
        await MeasureAsync(callers, baseline, warmUp);
        await MeasureAsync(callers, cache, warmUp);
        var baselineRounds = new List<(double Rate, double Median, double P99)>();
        var cacheRounds = new List<(double Rate, double Median, double P99)>();
        for (var round = 0; round < rounds; round++)
        {
            if (round % 2 == 0)
            {
                baselineRounds.Add(await MeasureAsync(callers, baseline, duration));
                cacheRounds.Add(await MeasureAsync(callers, cache, duration));
            }
            else
            {
                cacheRounds.Add(await MeasureAsync(callers, cache, duration));
                baselineRounds.Add(await MeasureAsync(callers, baseline, duration));
            }
        }

        return (baselineRounds, cacheRounds);
    }
}
