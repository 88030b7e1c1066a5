using System.Globalization;
using System.Text;

namespace RedisAutoExpiry.FaultTest;

/// <summary>The fault test's four figures, against the issue's targets, and the per-phase detail behind them.</summary>
internal static class Report
{
    private const double Window = 0.25;

    public static string Write(IReadOnlyList<Sample> samples, IReadOnlyList<Eviction> evictions, IReadOnlyList<Phase> phases, int failures)
    {
        var text = new StringBuilder();
        var origin = Latencies(samples, phases.Single(p => p.Name == "origin"));
        var steady = phases.Single(p => p.Name == "steady");
        var steadyHitRatio = HitRatio(samples, steady.Start, steady.End);
        var originP99 = Percentile(origin, 0.99);

        Line(text, $"{"phase",-12} {"requests",9} {"hit %",6} {"p50 ms",8} {"p99 ms",8} {"max ms",8} {"5xx",5}");
        foreach (var phase in phases)
        {
            var inPhase = samples.Where(s => phase.Contains(s.DueAt)).ToList();
            var latencies = inPhase.Select(s => s.LatencyMs).Order().ToList();
            Line(text, $"{phase.Name,-12} {inPhase.Count,9} {100 * HitRatio(samples, phase.Start, phase.End),6:0.0} " +
                $"{Percentile(latencies, 0.5),8:0.0} {Percentile(latencies, 0.99),8:0.0} {(latencies.Count > 0 ? latencies[^1] : 0),8:0.0} " +
                $"{inPhase.Count(s => s.Status >= 500),5}");
        }

        var outages = phases.Where(p => p.Name.StartsWith("kill", StringComparison.Ordinal) || p.Name == "pause").ToList();
        var outageLatencies = outages.SelectMany(p => Latencies(samples, p)).Order().ToList();
        var outageP99 = Percentile(outageLatencies, 0.99);
        var recoveries = outages.Select(p => RecoverySeconds(samples, p.End, phases.First(q => q.Start >= p.End).End, steadyHitRatio)).ToList();
        var fiveHundreds = samples.Count(s => s.Status >= 500);
        var staleSamples = Stale(samples, evictions);
        var stale = staleSamples.Count;

        Line(text, string.Empty);
        Line(text, $"HTTP 5xx on GETs: {fiveHundreds} of {samples.Count} (target 0); requests that failed outright: {failures}");
        Line(text, $"p99 during outages: {outageP99:0.0} ms over {outageLatencies.Count} requests; origin p99 {originP99:0.0} ms " +
            $"(target under {originP99 + 50:0.0} ms); per outage: {string.Join(", ", outages.Select(p => $"{p.Name} {Percentile(Latencies(samples, p), 0.99):0.0}"))}");
        Line(text, $"hit ratio back to 90% of steady ({100 * steadyHitRatio:0.0}%) after Redis returned, seconds: " +
            $"{string.Join(", ", recoveries.Select(r => r is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "never"))} (target < 5)");
        Line(text, $"responses served after a successful eviction that predate it: {stale} (target 0)");
        if (stale > 0)
        {
            // What to look for in the sample's log when it happens: when, which product, and the eviction it outlived.
            var (sample, eviction) = staleSamples.MinBy(pair => pair.Sample.DueAt);
            var perPhase = phases.Select(p => (p.Name, Count: staleSamples.Count(pair => p.Contains(pair.Sample.DueAt)))).Where(x => x.Count > 0);
            var phaseCounts = string.Join(", ", perPhase.Select(x => $"{x.Name} {x.Count}"));
            Line(text, string.Create(CultureInfo.InvariantCulture,
                $"  first: product {sample.ProductId} at {sample.DueAt:0.000} s, rendered {sample.GeneratedAt:HH:mm:ss.fff}, after an eviction sent {eviction.SentUtc:HH:mm:ss.fff} and answered {eviction.AnsweredUtc:HH:mm:ss.fff}; by phase: {phaseCounts}"));
        }
        Line(text, $"evictions: {evictions.Count(e => e.Status == 200)} succeeded (200), {evictions.Count(e => e.Status == 503)} refused (503), " +
            $"{evictions.Count(e => e.Status is not 200 and not 503)} other");

        // For fault-test.sh, which takes medians over runs.
        Line(text, FormattableString.Invariant(
            $"RESULT fivexx={fiveHundreds + failures} outage_p99_ms={outageP99:0.0} origin_p99_ms={originP99:0.0} pause_p99_ms={Percentile(Latencies(samples, phases.Single(p => p.Name == "pause")), 0.99):0.0} recovery_max_s={(recoveries.Any(r => r is null) ? 99 : recoveries.Max()!.Value):0.00} stale={stale}"));
        return text.ToString();
    }

    // Responses whose request was sent after an eviction of their tag had succeeded, yet rendered before it was sent,
    // each with the first such eviction it outlived. generatedAt has whole milliseconds, hence the 1 ms allowance.
    private static List<(Sample Sample, Eviction Eviction)> Stale(IReadOnlyList<Sample> samples, IReadOnlyList<Eviction> evictions)
    {
        var stale = new Dictionary<Sample, Eviction>();
        foreach (var eviction in evictions.Where(e => e.Status == 200))
        {
            foreach (var sample in samples)
            {
                if (sample.ProductId == eviction.ProductId && sample.SentUtc > eviction.AnsweredUtc
                    && sample.GeneratedAt < eviction.SentUtc.AddMilliseconds(-1))
                {
                    stale.TryAdd(sample, eviction);
                }
            }
        }

        return stale.Select(pair => (pair.Key, pair.Value)).ToList();
    }

    // Seconds from Redis's return to the start of the first window after which every window of the phase has a hit
    // ratio of at least 90% of the steady one.
    private static double? RecoverySeconds(IReadOnlyList<Sample> samples, double returned, double end, double steadyHitRatio)
    {
        double? recovered = null;
        for (var start = returned; start + Window <= end; start += Window)
        {
            var ratio = HitRatio(samples, start, start + Window);
            if (ratio >= 0.9 * steadyHitRatio)
            {
                recovered ??= start - returned;
            }
            else
            {
                recovered = null;
            }
        }

        return recovered;
    }

    private static double HitRatio(IReadOnlyList<Sample> samples, double start, double end)
    {
        var inWindow = samples.Where(s => s.DueAt >= start && s.DueAt < end).ToList();
        return inWindow.Count == 0 ? 0 : (double)inWindow.Count(s => s.Hit) / inWindow.Count;
    }

    private static List<double> Latencies(IReadOnlyList<Sample> samples, Phase phase) =>
        samples.Where(s => phase.Contains(s.DueAt)).Select(s => s.LatencyMs).Order().ToList();

    private static double Percentile(IReadOnlyList<double> sorted, double quantile) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];

    private static void Line(StringBuilder text, string line) => text.AppendLine(line);
}
