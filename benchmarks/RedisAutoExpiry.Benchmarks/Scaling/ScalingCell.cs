namespace RedisAutoExpiry.Benchmarks.Scaling;

/// <summary>One operation at one concurrency and value size: medians over the rounds, raw client beside the cache.</summary>
internal sealed record ScalingCell(string Operation, int Callers, int ValueSize,
    double RawOpsPerSecond, double CacheOpsPerSecond, double RawP99Milliseconds, double CacheP99Milliseconds)
{
    public double Ratio => CacheOpsPerSecond / RawOpsPerSecond;
}
