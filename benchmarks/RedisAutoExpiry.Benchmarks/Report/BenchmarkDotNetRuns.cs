using System.Text.Json;

namespace RedisAutoExpiry.Benchmarks.Report;

/// <summary>
/// The BenchmarkDotNet runs of one suite run (<c>bdn/run-N/results/*-report-full-compressed.json</c>): per run, per
/// benchmark (type, method, parameters), the median time per operation and the bytes allocated per operation.
/// </summary>
internal sealed class BenchmarkDotNetRuns
{
    private readonly List<Dictionary<string, (double MedianNanoseconds, double? AllocatedBytes)>> _runs = [];

    public static BenchmarkDotNetRuns Load(string directory)
    {
        var runs = new BenchmarkDotNetRuns();
        if (!Directory.Exists(directory))
        {
            return runs;
        }

        foreach (var run in Directory.GetDirectories(directory, "run-*").Order(StringComparer.Ordinal))
        {
            var figures = new Dictionary<string, (double, double?)>(StringComparer.Ordinal);
            foreach (var file in Directory.GetFiles(Path.Combine(run, "results"), "*-report-full-compressed.json"))
            {
                using var document = JsonDocument.Parse(File.ReadAllText(file));
                foreach (var benchmark in document.RootElement.GetProperty("Benchmarks").EnumerateArray())
                {
                    if (benchmark.GetProperty("Statistics").ValueKind != JsonValueKind.Object)
                    {
                        continue; // a benchmark that failed has no statistics
                    }

                    var name = Name(benchmark.GetProperty("Type").GetString()!, benchmark.GetProperty("Method").GetString()!,
                        benchmark.GetProperty("Parameters").GetString() ?? string.Empty);
                    var allocated = benchmark.GetProperty("Memory").GetProperty("BytesAllocatedPerOperation");
                    figures[name] = (benchmark.GetProperty("Statistics").GetProperty("Median").GetDouble(),
                        allocated.ValueKind == JsonValueKind.Number ? allocated.GetDouble() : null);
                }
            }

            runs._runs.Add(figures);
        }

        return runs;
    }

    public int Count => _runs.Count;

    public static string Name(string type, string method, string parameters = "") =>
        parameters.Length == 0 ? $"{type}.{method}" : $"{type}.{method}({parameters})";

    /// <summary>Each run's baseline time ÷ candidate time: a throughput ratio (above 1 is faster than the baseline).</summary>
    public List<double> ThroughputRatios(string baseline, string candidate) => Each((b, c) => b.MedianNanoseconds / c.MedianNanoseconds, baseline, candidate);

    /// <summary>Each run's candidate time ÷ baseline time: a latency ratio (below 1 is faster than the baseline).</summary>
    public List<double> LatencyRatios(string baseline, string candidate) => Each((b, c) => c.MedianNanoseconds / b.MedianNanoseconds, baseline, candidate);

    /// <summary>Each run's median time per operation, in microseconds.</summary>
    public List<double> Microseconds(string name) =>
        _runs.Where(run => run.ContainsKey(name)).Select(run => run[name].MedianNanoseconds / 1000).ToList();

    /// <summary>Each run's bytes allocated per operation.</summary>
    public List<double> Allocated(string name) =>
        _runs.Where(run => run.TryGetValue(name, out var figure) && figure.AllocatedBytes is not null).Select(run => run[name].AllocatedBytes!.Value).ToList();

    private List<double> Each(Func<(double MedianNanoseconds, double? AllocatedBytes), (double MedianNanoseconds, double? AllocatedBytes), double> ratio,
        string baseline, string candidate) =>
        _runs.Where(run => run.ContainsKey(baseline) && run.ContainsKey(candidate)).Select(run => ratio(run[baseline], run[candidate])).ToList();
}
