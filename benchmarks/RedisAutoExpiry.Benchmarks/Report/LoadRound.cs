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
}
