using System.Globalization;
using System.Text;
using RedisAutoExpiry.Benchmarks.Scaling;
using RedisAutoExpiry.Benchmarks.SideBySide;
using RedisAutoExpiry.Benchmarks.TagEviction;
using RedisAutoExpiry.Benchmarks.TagHygiene;
using RedisAutoExpiry.Benchmarks.TagMemory;

namespace RedisAutoExpiry.Benchmarks.Report;

/// <summary>
/// Writes docs/performance.md from one suite run's results directory (benchmarks/run-all.sh): the machine, the
/// targets table with our figures and ratios (medians of the runs), the scaling tables and Mermaid charts, and the
/// hand-written analysis kept in benchmarks/performance-notes.md.
/// <code>dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- report results-dir docs/performance.md</code>
/// </summary>
internal static class PerformanceReport
{
    private const string Get = nameof(GetThroughputBenchmarks);
    private const string SlidingLatency = nameof(SlidingGetLatencyBenchmarks);
    private const string SlidingThroughput = nameof(SlidingGetThroughputBenchmarks);
    private const string SetTags = nameof(SetWithTagsBenchmarks);
    private const string Alloc = nameof(GetAllocationBenchmarks);

    public static int Write(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: report <results-dir> <output.md> [notes.md]");
            return 2;
        }

        var results = args[0];
        var bdn = BenchmarkDotNetRuns.Load(Path.Combine(results, "bdn"));
        var scaling = ResultFile.Read<List<ScalingCell>>(Path.Combine(results, "scaling.json")) ?? [];
        var eviction = ResultFile.Read<List<ScenarioResult>>(Path.Combine(results, "tag-eviction.json")) ?? [];
        var memory = ResultFile.Read<List<TagMemoryResult>>(Path.Combine(results, "tag-memory.json")) ?? [];
        var hygiene = ResultFile.Read<List<TagHygieneResult>>(Path.Combine(results, "tag-hygiene.json")) ?? [];
        var http = ReadHttp(Path.Combine(results, "output-cache.txt"));
        var sideBySide = (ResultFile.Read<List<SideBySideResult>>(Path.Combine(results, "side-by-side.json")) ?? []).ToDictionary(r => r.Id);

        var text = new StringBuilder();
        text.AppendLine("# Performance");
        text.AppendLine();
        text.AppendLine("<!-- Written by benchmarks/run-all.sh (the report verb of benchmarks/RedisAutoExpiry.Benchmarks); edit benchmarks/performance-notes.md instead. -->");
        text.AppendLine();
        text.AppendLine("Every figure below comes from one run of `bash benchmarks/run-all.sh` on the machine described here. Each target is a");
        text.AppendLine("ratio to a baseline measured in the same process or script, and the ratio shown is the median of the runs' ratios");
        text.AppendLine("(each run's own ratio is listed), which the drift of a shared machine's speed affects less than the raw figures.");
        text.AppendLine();
        text.AppendLine("P1, P2a, P2b and P3 are judged by the `side-by-side` verb: the baseline and the cache in one process, on one connection");
        text.AppendLine("and one redis-server, in alternating short rounds, each round's ratio taken against the round beside it; the table gives");
        text.AppendLine("the median of those ratios and their middle half. BenchmarkDotNet measures the same cases too (its ratios follow in the");
        text.AppendLine("same cell), but runs each benchmark in a process and redis-server of its own, one after the other, so a drift of the");
        text.AppendLine("machine's speed between them lands in its ratio whole.");
        text.AppendLine();
        text.AppendLine("## Machine");
        text.AppendLine();
        var machine = Path.Combine(results, "machine.txt");
        text.AppendLine(File.Exists(machine) ? string.Join(Environment.NewLine, File.ReadAllLines(machine).Select(line => "- " + line)) : "- (not recorded)");
        text.AppendLine();

        var rows = Targets(bdn, sideBySide, http, eviction, memory, hygiene);
        text.AppendLine("## Targets");
        text.AppendLine();
        text.AppendLine("| # | what | baseline | target | ours | baseline's | ratio (median; each run) | |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            text.AppendLine($"| {row.Id} | {row.What} | {row.Baseline} | {row.Target} | {row.Ours} | {row.BaselineFigure} | {row.Ratio} | {row.Verdict} |");
        }

        text.AppendLine();
        var ratios = rows.Where(row => row.Id is "P1" or "P2b" or "P3" or "P5").ToList();
        text.Append(MermaidChart.Render("Throughput as a fraction of the baseline (bars), target (line)", "target",
            ratios.Select(row => row.Id), "x baseline", ratios.Select(row => FirstNumber(row.Ratio)),
            ratios.Select(row => FirstNumber(row.Target))));
        text.AppendLine();

        WriteScaling(text, scaling);
        WriteDetails(text, bdn, sideBySide, eviction, memory, hygiene, http);

        var notes = args.Length > 2 ? args[2] : Path.Combine("benchmarks", "performance-notes.md");
        if (File.Exists(notes))
        {
            text.AppendLine(File.ReadAllText(notes).TrimEnd());
            text.AppendLine();
        }

        File.WriteAllText(args[1], text.ToString());
        Console.WriteLine($"wrote {args[1]}: {rows.Count(r => r.Met == true)} targets met, {rows.Count(r => r.Met == false)} missed, " +
                          $"{rows.Count(r => r.Met is null)} not measured; {rows.Count(r => r.Straddles)} of them within the noise");
        return 0;
    }

    private static List<TargetRow> Targets(BenchmarkDotNetRuns bdn, Dictionary<string, SideBySideResult> sideBySide, Dictionary<string, string[]> http,
        List<ScenarioResult> eviction, List<TagMemoryResult> memory, List<TagHygieneResult> hygiene)
    {
        var rows = new List<TargetRow>
        {
            Throughput("P1", "Get hit, 1 KiB, 64 callers, throughput", "raw `StringGetAsync`, same connection", 0.90, bdn, sideBySide,
                Name(Get, "RawStringGetAsync"), Name(Get, "CacheGetAsync")),
            Latency("P2a", "sliding Get, 1 caller, median latency", "HMGET + awaited EXPIRE", 0.6, bdn, sideBySide,
                Name(SlidingLatency, "TwoRoundTripSlidingGet"), Name(SlidingLatency, "CacheSlidingGet")),
            Throughput("P2b", "sliding Get, 64 callers, throughput", "HMGET + awaited EXPIRE", 1.0, bdn, sideBySide,
                Name(SlidingThroughput, "TwoRoundTripSlidingGet"), Name(SlidingThroughput, "CacheSlidingGet")),
            Throughput("P3", "Set with 3 tags, 64 callers, throughput", "SET PX + 3 SADD, pipelined", 0.85, bdn, sideBySide,
                Name(SetTags, "RawSetAndSaddPipelined"), Name(SetTags, "CacheSetWithThreeTags")),
            Allocation("P4", "bytes allocated per `GetAsync` (1 KiB)", bdn, Name(Alloc, "CacheGetAsync")),
            Allocation("P4", "bytes allocated per `TryGetAsync` (IBufferDistributedCache)", bdn, Name(Alloc, "CacheTryGetAsync")),
        };

        // Judged against the framework's own policy on its in-memory store (what the app has without us), which is
        // stricter than the same [CacheFor] app on that store; both ratios are shown.
        const string P5Baseline = "same app, the framework's `CacheOutput()` on its in-memory store";
        rows.Add(http.TryGetValue("cachefor/redis", out var hit)
            ? new TargetRow("P5", "HTTP hit, `[CacheFor]`, wrk 64 connections, ~1 KiB JSON", P5Baseline, "≥ 0.8x",
                $"{Number(hit[1], "N0")} req/s",
                http.TryGetValue("output/memory", out var memoryHit) ? $"{Number(memoryHit[1], "N0")} req/s" : "",
                $"{Number(hit[5], "0.00")}x ({Number(hit[4], "0.00")}x of `[CacheFor]` on the in-memory store)",
                double.Parse(hit[5], CultureInfo.InvariantCulture) >= 0.8)
            : new TargetRow("P5", "HTTP hit, wrk 64 connections", P5Baseline, "≥ 0.8x", "", "", "", null));

        var library = eviction.Where(r => r.Scenario.StartsWith("EvictByTagAsync", StringComparison.Ordinal)).ToList();
        var idle = eviction.Where(r => r.Scenario == TagEvictionBenchmark.IdleScenario).ToList();
        if (library.Count > 0)
        {
            var wall = Statistics.Median(library.Select(r => r.WallMilliseconds));
            var clean = Statistics.Median(library.Select(r => r.CleanMilliseconds ?? r.WallMilliseconds));
            var slowest = Statistics.Median(library.Select(r => r.SlowLog.MaxMicroseconds / 1000.0));
            var p99 = Statistics.Median(library.Select(r => r.Reader.P99));
            var busy = library.All(r => r.ServerCpuMilliseconds is not null)
                ? $", redis-server busy for {Statistics.Median(library.Select(r => r.ServerCpuMilliseconds!.Value)):0} ms of it"
                : "";
            rows.Add(new TargetRow("P6", $"evict a {library[0].Removed:N0}-member tag", "–", "< 600 ms; no command > 5 ms; reader p99 < 5 ms",
                $"{wall:0} ms{busy} ({clean:0} ms until its other tag sets are clean too); longest command {slowest:0.0} ms; reader p99 {p99:0.00} ms",
                idle.Count > 0 ? $"idle reader p99 {Statistics.Median(idle.Select(r => r.Reader.P99)):0.00} ms" : "",
                $"{Runs(library.Select(r => r.WallMilliseconds), "0")} ms", wall < 600 && slowest <= 5 && p99 < 5));
        }
        else
        {
            rows.Add(new TargetRow("P6", "evict a 100,000-member tag", "–", "< 600 ms; no command > 5 ms; reader p99 < 5 ms", "", "", "", null));
        }

        if (memory.Count > 0)
        {
            var overhead = Statistics.Median(memory.Select(r => r.OverheadPerEntry));
            rows.Add(new TargetRow("P7", $"Redis memory per 1 KiB entry with two tags ({memory[0].Entries:N0} entries)", "bare string keys, same TTL",
                "≤ +350 B", $"{Statistics.Median(memory.Select(r => r.CachePerEntry)):0} B", $"{Statistics.Median(memory.Select(r => r.BarePerEntry)):0} B",
                $"+{overhead:0} B ({Runs(memory.Select(r => r.OverheadPerEntry), "0")})", overhead <= 350));
        }
        else
        {
            rows.Add(new TargetRow("P7", "Redis memory per 1 KiB entry with two tags", "bare string keys", "≤ +350 B", "", "", "", null));
        }

        if (hygiene.Count > 0)
        {
            var stale = hygiene.Max(r => r.StaleAtFiveSeconds);
            rows.Add(new TargetRow("P8", $"stale tag members after {hygiene[0].Entries:N0} entries expire", "–", "0 within 5 s",
                $"{stale} at 5 s; clean after {Statistics.Median(hygiene.Select(r => r.CleanSeconds)):0.00} s",
                $"Redis expired them all after {Statistics.Median(hygiene.Select(r => r.EntriesGoneSeconds)):0.00} s",
                $"clean after {Runs(hygiene.Select(r => r.CleanSeconds), "0.00")} s", stale == 0));
        }
        else
        {
            rows.Add(new TargetRow("P8", "stale tag members after 100,000 entries expire", "–", "0 within 5 s", "", "", "", null));
        }

        return rows;
    }

    // Judged by the side-by-side rounds when they ran; BenchmarkDotNet's ratios are shown beside them either way.
    private static TargetRow Throughput(string id, string what, string baseline, double target, BenchmarkDotNetRuns bdn,
        Dictionary<string, SideBySideResult> sideBySide, string baselineName, string candidate)
    {
        var ratios = bdn.ThroughputRatios(baselineName, candidate);
        if (sideBySide.TryGetValue(id, out var side))
        {
            return new TargetRow(id, what, baseline, $"≥ {target:0.00}x", $"{side.CacheRate:N0} ops/s", $"{side.BaselineRate:N0} ops/s",
                SideBySideText(side, ratios), Statistics.Median(side.Ratios) >= target, Straddles(side, target));
        }

        return new TargetRow(id, what, baseline, $"≥ {target:0.00}x", Rate(bdn.Microseconds(candidate)), Rate(bdn.Microseconds(baselineName)),
            RatioText(ratios), ratios.Count == 0 ? null : Statistics.Median(ratios) >= target);
    }

    private static TargetRow Latency(string id, string what, string baseline, double target, BenchmarkDotNetRuns bdn,
        Dictionary<string, SideBySideResult> sideBySide, string baselineName, string candidate)
    {
        var ratios = bdn.LatencyRatios(baselineName, candidate);
        if (sideBySide.TryGetValue(id, out var side))
        {
            return new TargetRow(id, what, baseline, $"≤ {target:0.00}x", $"{side.CacheMedianMilliseconds * 1000:0.0} µs",
                $"{side.BaselineMedianMilliseconds * 1000:0.0} µs", SideBySideText(side, ratios), Statistics.Median(side.Ratios) <= target,
                Straddles(side, target));
        }

        return new TargetRow(id, what, baseline, $"≤ {target:0.00}x", Time(bdn.Microseconds(candidate)), Time(bdn.Microseconds(baselineName)),
            RatioText(ratios), ratios.Count == 0 ? null : Statistics.Median(ratios) <= target);
    }

    private static bool Straddles(SideBySideResult side, double target)
    {
        var sorted = side.Ratios.Order().ToArray();
        return Statistics.Percentile(sorted, 0.25) < target && target < Statistics.Percentile(sorted, 0.75);
    }

    private static string SideBySideText(SideBySideResult side, List<double> bdnRatios)
    {
        var sorted = side.Ratios.Order().ToArray();
        var text = $"{Statistics.Median(side.Ratios):0.00}x (middle half of {sorted.Length} rounds {Statistics.Percentile(sorted, 0.25):0.00}-" +
                   $"{Statistics.Percentile(sorted, 0.75):0.00})";
        return bdnRatios.Count == 0 ? text : $"{text}; BenchmarkDotNet {RatioText(bdnRatios)}";
    }

    private static TargetRow Allocation(string id, string what, BenchmarkDotNetRuns bdn, string candidate)
    {
        var baseline = bdn.Allocated(Name(Alloc, "RawStringGetAsync"));
        var ours = bdn.Allocated(candidate);
        if (baseline.Count == 0 || ours.Count == 0)
        {
            return new TargetRow(id, what, "raw `StringGetAsync`", "≤ baseline + 200 B", "", "", "", null);
        }

        var extra = Statistics.Median(ours) - Statistics.Median(baseline);
        return new TargetRow(id, what, "raw `StringGetAsync` of the same value", "≤ baseline + 200 B", $"{Statistics.Median(ours):0} B",
            $"{Statistics.Median(baseline):0} B", $"+{extra:0} B", extra <= 200);
    }

    private static void WriteScaling(StringBuilder text, List<ScalingCell> cells)
    {
        text.AppendLine("## How the cost grows");
        text.AppendLine();
        if (cells.Count == 0)
        {
            text.AppendLine("(not measured)");
            text.AppendLine();
            return;
        }

        text.AppendLine("`scaling` verb: each cell alternates the raw client and the cache on one multiplexer for several rounds and keeps the");
        text.AppendLine("medians; latency is timed per call. Get reads one stored key; Set overwrites a key per caller (no tags) with a 1 h TTL;");
        text.AppendLine("the raw client sends `GET` and `SET … PX`.");
        text.AppendLine();
        text.AppendLine("| operation | callers | value | raw ops/s | cache ops/s | cache ÷ raw | raw p99 | cache p99 |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var cell in cells)
        {
            text.AppendLine($"| {cell.Operation} | {cell.Callers} | {Size(cell.ValueSize)} | {cell.RawOpsPerSecond:N0} | {cell.CacheOpsPerSecond:N0} | " +
                            $"{cell.Ratio:0.00}x | {cell.RawP99Milliseconds:0.000} ms | {cell.CacheP99Milliseconds:0.000} ms |");
        }

        text.AppendLine();
        foreach (var operation in new[] { "Get", "Set" })
        {
            var byCallers = cells.Where(c => c.Operation == operation && c.ValueSize == 1024).OrderBy(c => c.Callers).ToList();
            var bySize = cells.Where(c => c.Operation == operation && c.Callers == 8).OrderBy(c => c.ValueSize).ToList();
            text.Append(MermaidChart.Render($"{operation}, 1 KiB: ops/s by callers (bars cache, line raw)", "concurrent callers",
                byCallers.Select(c => c.Callers.ToString(CultureInfo.InvariantCulture)), "operations/s",
                byCallers.Select(c => c.CacheOpsPerSecond), byCallers.Select(c => c.RawOpsPerSecond)));
            text.AppendLine();
            text.Append(MermaidChart.Render($"{operation}, 1 KiB: p99 ms by callers (bars cache, line raw)", "concurrent callers",
                byCallers.Select(c => c.Callers.ToString(CultureInfo.InvariantCulture)), "p99 ms",
                byCallers.Select(c => c.CacheP99Milliseconds), byCallers.Select(c => c.RawP99Milliseconds)));
            text.AppendLine();
            text.Append(MermaidChart.Render($"{operation}, 8 callers: MB/s by value size (bars cache, line raw)", "value size",
                bySize.Select(c => Size(c.ValueSize)), "MB/s",
                bySize.Select(c => c.CacheOpsPerSecond * c.ValueSize / 1e6), bySize.Select(c => c.RawOpsPerSecond * c.ValueSize / 1e6)));
            text.AppendLine();
        }
    }

    private static void WriteDetails(StringBuilder text, BenchmarkDotNetRuns bdn, Dictionary<string, SideBySideResult> sideBySide, List<ScenarioResult> eviction,
        List<TagMemoryResult> memory, List<TagHygieneResult> hygiene, Dictionary<string, string[]> http)
    {
        text.AppendLine("## Details");
        text.AppendLine();
        if (sideBySide.Count > 0)
        {
            text.AppendLine("Side by side (`side-by-side`), medians over the rounds, and each round's ratio in the order run:");
            text.AppendLine();
            text.AppendLine("| # | callers | baseline | cache | each round's ratio |");
            text.AppendLine("|---|---|---|---|---|");
            foreach (var r in sideBySide.Values)
            {
                var figures = r.Latency
                    ? ($"median {r.BaselineMedianMilliseconds * 1000:0.0} µs", $"median {r.CacheMedianMilliseconds * 1000:0.0} µs")
                    : ($"{r.BaselineRate:N0} ops/s", $"{r.CacheRate:N0} ops/s");
                text.AppendLine($"| {r.Id} | {r.Callers} | {figures.Item1} | {figures.Item2} | {Runs(r.Ratios, "0.00")} |");
            }

            text.AppendLine();
        }

        text.AppendLine($"BenchmarkDotNet (P1-P4), {bdn.Count} runs; median time per operation in each run, µs:");
        text.AppendLine();
        text.AppendLine("| benchmark | each run |");
        text.AppendLine("|---|---|");
        foreach (var name in new[]
                 {
                     Name(Get, "RawStringGetAsync"), Name(Get, "CacheGetAsync"),
                     Name(SlidingLatency, "TwoRoundTripSlidingGet"), Name(SlidingLatency, "CacheSlidingGet"),
                     Name(SlidingThroughput, "TwoRoundTripSlidingGet"), Name(SlidingThroughput, "CacheSlidingGet"),
                     Name(SetTags, "RawSetAndSaddPipelined"), Name(SetTags, "CacheSetWithThreeTags"),
                     Name(Alloc, "RawStringGetAsync"), Name(Alloc, "CacheGetAsync"), Name(Alloc, "CacheTryGetAsync"),
                 })
        {
            text.AppendLine($"| `{name}` | {Runs(bdn.Microseconds(name), "0.00")} |");
        }

        text.AppendLine();
        if (http.Count > 0)
        {
            text.AppendLine("HTTP (`benchmarks/output-cache.sh`, medians):");
            text.AppendLine();
            text.AppendLine("| case | req/s | p99 | CPU per request | ÷ in-memory, same policy | ÷ `output/memory` |");
            text.AppendLine("|---|---|---|---|---|---|");
            foreach (var (name, f) in http)
            {
                text.AppendLine($"| {name} | {Number(f[1], "N0")} | {f[2]} ms | {f[3]} µs | {Number(f[4], "0.00")}x | {Number(f[5], "0.00")}x |");
            }

            text.AppendLine();
        }

        if (eviction.Count > 0)
        {
            text.AppendLine("Tag eviction (`tag-eviction --library-only`), each run. Wall: until every entry is gone (the call returns); clean: until");
            text.AppendLine("the entries' other tag sets are clean too (the cleanup left to the background). redis-server CPU: its CPU time (`INFO cpu`, user +");
            text.AppendLine("system) over the wall time, so how much of the call Redis was busy. SLOWLOG and the reader cover the time until clean.");
            text.AppendLine();
            text.AppendLine("| run | scenario | wall | redis-server CPU | clean | longest command (SLOWLOG) | scripts | reader p50 / p99 / max |");
            text.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var r in eviction)
            {
                var busy = r.ServerCpuMilliseconds is { } cpu ? $"{cpu:0} ms" : "–";
                text.AppendLine($"| {r.Run} | {r.Scenario} | {r.WallMilliseconds:0} ms | {busy} | {r.CleanMilliseconds ?? r.WallMilliseconds:0} ms | {r.SlowLog.MaxMicroseconds / 1000.0:0.0} ms | {r.SlowLog.Scripts} | " +
                                $"{r.Reader.P50:0.00} / {r.Reader.P99:0.00} / {r.Reader.Max:0.00} ms |");
            }

            text.AppendLine();
        }

        if (memory.Count > 0)
        {
            text.AppendLine("Memory (`tag-memory`), each run, `used_memory` growth per entry:");
            text.AppendLine();
            text.AppendLine("| run | bare strings | cache, two tags | difference |");
            text.AppendLine("|---|---|---|---|");
            foreach (var r in memory)
            {
                text.AppendLine($"| {r.Run} | {r.BarePerEntry:0} B | {r.CachePerEntry:0} B | +{r.OverheadPerEntry:0} B |");
            }

            text.AppendLine();
        }

        if (hygiene.Count > 0)
        {
            text.AppendLine("Tag hygiene (`tag-hygiene`), each run, seconds after the last TTL ran out:");
            text.AppendLine();
            text.AppendLine("| run | entries | Redis had expired all | tag sets and indexes clean | stale at 5 s |");
            text.AppendLine("|---|---|---|---|---|");
            foreach (var r in hygiene)
            {
                text.AppendLine($"| {r.Run} | {r.Entries:N0} | {r.EntriesGoneSeconds:0.00} s | {r.CleanSeconds:0.00} s | {r.StaleAtFiveSeconds} |");
            }

            text.AppendLine();
        }
    }

    private static Dictionary<string, string[]> ReadHttp(string path) =>
        File.Exists(path)
            ? File.ReadAllLines(path).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 6)
                .ToDictionary(f => f[0], f => f, StringComparer.Ordinal)
            : [];

    private static string Name(string type, string method, string parameters = "") => BenchmarkDotNetRuns.Name(type, method, parameters);

    private static string RatioText(List<double> ratios) =>
        ratios.Count == 0 ? "" : $"{Statistics.Median(ratios):0.00}x ({Runs(ratios, "0.00")})";

    private static string Runs(IEnumerable<double> values, string format) =>
        string.Join(", ", values.Select(v => v.ToString(format, CultureInfo.InvariantCulture)));

    private static string Rate(List<double> microseconds) =>
        microseconds.Count == 0 ? "" : $"{1e6 / Statistics.Median(microseconds):N0} ops/s";

    private static string Time(List<double> microseconds) =>
        microseconds.Count == 0 ? "" : $"{Statistics.Median(microseconds):0.0} µs";

    private static string Size(int bytes) => bytes switch
    {
        >= 1024 * 1024 => $"{bytes / (1024 * 1024)} MiB",
        >= 1024 => $"{bytes / 1024} KiB",
        _ => $"{bytes} B",
    };

    private static string Number(string text, string format) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value.ToString(format, CultureInfo.InvariantCulture) : text;

    private static double FirstNumber(string text)
    {
        var digits = new string(text.SkipWhile(c => !char.IsDigit(c)).TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
        return double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;
    }
}
