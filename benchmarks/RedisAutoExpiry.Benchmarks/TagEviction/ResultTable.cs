using System.Globalization;

namespace RedisAutoExpiry.Benchmarks.TagEviction;

/// <summary>
/// One scenario of one run: the wall time until the work returned (every entry gone), and until the tag sets were clean
/// too (the eviction's cleanup in the background done; null in results written before it was measured). Reader
/// latencies, SLOWLOG and the benchmark process's garbage collections cover the whole time until clean (the reader runs
/// in that process, so a collection's pause shows in its latencies as Redis's would). The redis-server CPU time (user +
/// system, <c>INFO cpu</c>) covers the same span as the wall time, so the two show how much of the call Redis was busy.
/// </summary>
internal sealed record ScenarioResult(int Run, string Scenario, double WallMilliseconds, long Removed, SlowLogSummary SlowLog, LatencySummary Reader,
    double? CleanMilliseconds = null, CollectionSummary? Collections = null, double? ServerCpuMilliseconds = null);

/// <summary>Per-run lines while the benchmark runs, then the median of each column over the runs, per scenario.</summary>
internal static class ResultTable
{
    private const string Header =
        "| scenario | wall ms | redis-server CPU ms | clean ms | SLOWLOG max µs | longest command | scripts | median script µs | scripts ≥10 ms | reader p50 ms | reader p99 ms | reader max ms | reads (failed) |";

    public static string Line(ScenarioResult result) =>
        $"run {result.Run} | {result.Scenario} | {Ms(result.WallMilliseconds)} ms (redis-server CPU {Ms(result.ServerCpuMilliseconds ?? double.NaN)} ms; clean {Ms(result.CleanMilliseconds ?? result.WallMilliseconds)} ms) | removed {result.Removed} | " +
        $"SLOWLOG max {result.SlowLog.MaxMicroseconds} µs {result.SlowLog.MaxCommand} | {result.SlowLog.Scripts} scripts, " +
        $"median {result.SlowLog.MedianScriptMicroseconds} µs, {result.SlowLog.ScriptsOver10Milliseconds} ≥10 ms | reader p50 {Ms(result.Reader.P50)} p99 {Ms(result.Reader.P99)} " +
        $"max {Ms(result.Reader.Max)} ms over {result.Reader.Count} reads ({result.Reader.Failed} failed) | {result.Collections} | Redis time: {result.SlowLog.ScriptTimes}";

    public static void WriteMedians(TextWriter writer, IReadOnlyList<ScenarioResult> results)
    {
        var runs = results.Select(result => result.Run).Distinct().Count();
        writer.WriteLine($"Medians of {runs} runs:");
        writer.WriteLine();
        writer.WriteLine(Header);
        writer.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var scenario in results.GroupBy(result => result.Scenario))
        {
            var rows = scenario.ToList();
            writer.WriteLine(
                $"| {scenario.Key} | {Ms(Median(rows, row => row.WallMilliseconds))} | {Ms(Median(rows, row => row.ServerCpuMilliseconds ?? double.NaN))} | " +
                $"{Ms(Median(rows, row => row.CleanMilliseconds ?? row.WallMilliseconds))} | " +
                $"{Median(rows, row => row.SlowLog.MaxMicroseconds):0} | {MostCommon(rows.Select(row => row.SlowLog.MaxCommand))} | " +
                $"{Median(rows, row => row.SlowLog.Scripts):0} | {Median(rows, row => row.SlowLog.MedianScriptMicroseconds):0} | " +
                $"{Median(rows, row => row.SlowLog.ScriptsOver10Milliseconds):0} | {Ms(Median(rows, row => row.Reader.P50))} | " +
                $"{Ms(Median(rows, row => row.Reader.P99))} | {Ms(Median(rows, row => row.Reader.Max))} | " +
                $"{Median(rows, row => row.Reader.Count):0} ({rows.Sum(row => row.Reader.Failed)}) |");
        }
    }

    private static double Median(List<ScenarioResult> rows, Func<ScenarioResult, double> value)
    {
        var sorted = rows.Select(value).Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string MostCommon(IEnumerable<string> values) =>
        values.GroupBy(value => value).OrderByDescending(group => group.Count()).First().Key;

    private static string Ms(double milliseconds) => milliseconds.ToString(milliseconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);
}
