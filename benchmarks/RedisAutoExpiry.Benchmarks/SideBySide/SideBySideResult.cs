namespace RedisAutoExpiry.Benchmarks.SideBySide;

/// <summary>
/// One target measured side by side: medians over the rounds of each side's rate and median latency, and each round's
/// own ratio (cache ÷ baseline: of rates for a throughput target, of median latencies for a latency one).
/// </summary>
internal sealed record SideBySideResult(string Id, bool Latency, int Callers, double BaselineRate, double CacheRate,
    double BaselineMedianMilliseconds, double CacheMedianMilliseconds, double[] Ratios);
