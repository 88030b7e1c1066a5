namespace RedisAutoExpiry;

/// <summary>
/// The names under which the cache publishes its metrics and traces, for <c>AddMeter</c> and <c>AddSource</c> in
/// OpenTelemetry, or <c>dotnet-counters monitor --counters RedisAutoExpiry</c>. See docs/observability.md.
/// </summary>
public static class RedisAutoExpiryDiagnostics
{
    /// <summary>
    /// The <see cref="System.Diagnostics.Metrics.Meter"/> name: <c>RedisAutoExpiry</c>. Its instruments count hits,
    /// misses, sets, tag evictions, evicted entries and errors, time every Redis call, and report whether each circuit
    /// breaker is open.
    /// </summary>
    public const string MeterName = "RedisAutoExpiry";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name: <c>RedisAutoExpiry</c>; one client span per Redis call.</summary>
    public const string ActivitySourceName = "RedisAutoExpiry";
}
