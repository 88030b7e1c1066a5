using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RedisAutoExpiry.Diagnostics;

/// <summary>
/// The cache's instruments on the <see cref="RedisAutoExpiryDiagnostics.MeterName"/> meter. Every recording first asks
/// whether anyone listens, so an app that collects nothing pays a field read per call.
/// </summary>
internal sealed class CacheMetrics : IDisposable
{
    public static readonly KeyValuePair<string, object?> DistributedCache = new("redisautoexpiry.cache", "distributed");
    public static readonly KeyValuePair<string, object?> OutputCache = new("redisautoexpiry.cache", "output");

    // Redis calls on loopback take tens of microseconds; a WAN or a stall, up to the 1 s bound.
    private static readonly IReadOnlyList<double> DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly bool _ownsMeter;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _sets;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _evictedEntries;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;

    public CacheMetrics(IMeterFactory? factory, string? instanceName)
    {
        var options = new MeterOptions(RedisAutoExpiryDiagnostics.MeterName);
        if (!string.IsNullOrEmpty(instanceName))
        {
            options.Tags = [new("redisautoexpiry.instance", instanceName)];
        }

        Meter = factory?.Create(options) ?? new Meter(options);
        _ownsMeter = factory is null;
        _hits = Meter.CreateCounter<long>("redisautoexpiry.cache.hits", "{entry}", "Lookups that found an entry.");
        _misses = Meter.CreateCounter<long>("redisautoexpiry.cache.misses", "{entry}",
            "Lookups that found none (absent, expired, not in this cache's format, or failed open).");
        _sets = Meter.CreateCounter<long>("redisautoexpiry.cache.sets", "{entry}", "Entries written.");
        _evictions = Meter.CreateCounter<long>("redisautoexpiry.cache.evictions", "{tag}", "Tags evicted.");
        _evictedEntries = Meter.CreateCounter<long>("redisautoexpiry.cache.evicted_entries", "{entry}", "Entries deleted by tag evictions.");
        _errors = Meter.CreateCounter<long>("redisautoexpiry.cache.errors", "{call}",
            "Redis calls that failed: no answer within the bound, no connection, refused by an open breaker, or an error reply.");
        _duration = Meter.CreateHistogram("redisautoexpiry.operation.duration", "s", "How long each Redis call took, reply or failure.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    public Meter Meter { get; }

    /// <summary>A timestamp to pass to <see cref="Completed"/> or <see cref="Failed"/>; 0 when nobody records durations.</summary>
    public long Start() => _duration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Counts a lookup as a hit or a miss, and hands back whether it found an entry.</summary>
    public bool Lookup(bool found, in KeyValuePair<string, object?> cache)
    {
        (found ? _hits : _misses).Add(1, cache);
        return found;
    }

    /// <summary>A tag eviction finished.</summary>
    public void TagEvicted() => _evictions.Add(1);

    /// <summary>Entries an eviction deleted, counted even when a later page of it failed.</summary>
    public void EvictedEntries(long entries)
    {
        if (entries > 0)
        {
            _evictedEntries.Add(entries);
        }
    }

    public void Completed(RedisOperation operation, bool outputCache, long started, bool wroteEntry)
    {
        if (wroteEntry)
        {
            _sets.Add(1, outputCache ? OutputCache : DistributedCache);
        }

        if (started != 0)
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, operation.Tag);
        }
    }

    /// <summary>A call an open breaker refused: an error, but nothing was sent, so no duration.</summary>
    public void Refused(RedisOperation operation) =>
        _errors.Add(1, operation.Tag, new KeyValuePair<string, object?>("error.type", "circuit_open"));

    public void Failed(RedisOperation operation, string errorType, long started)
    {
        var error = new KeyValuePair<string, object?>("error.type", errorType);
        _errors.Add(1, operation.Tag, error);
        if (started != 0)
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, operation.Tag, error);
        }
    }

    /// <summary>Publishes each breaker's state: 1 while open, 0 while closed.</summary>
    public void ObserveCircuits(Func<bool> cacheCallsOpen, Func<bool> outputCacheCallsOpen) =>
        Meter.CreateObservableGauge("redisautoexpiry.circuit.open", () => new[]
        {
            new Measurement<int>(cacheCallsOpen() ? 1 : 0, new KeyValuePair<string, object?>("redisautoexpiry.circuit", "cache_calls")),
            new Measurement<int>(outputCacheCallsOpen() ? 1 : 0, new KeyValuePair<string, object?>("redisautoexpiry.circuit", "output_cache_calls")),
        }, "{circuit}", "1 while the circuit breaker is open (calls refused), 0 while closed.");

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}
