using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>Records every measurement one <see cref="Meter"/> publishes (a real MeterListener, as dotnet-counters uses).</summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();

    public MeterRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Asks observable instruments (the breaker gauge) for their values now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>The sum of an instrument's measurements whose tags include every pair in <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, object Value)[] tags) => Of(instrument, tags).Sum(m => m.Value);

    /// <summary>How many measurements an instrument recorded with the given tags.</summary>
    public int Count(string instrument, params (string Key, object Value)[] tags) => Of(instrument, tags).Count();

    /// <summary>The last value an instrument reported with the given tags, or null.</summary>
    public double? Last(string instrument, params (string Key, object Value)[] tags) => Of(instrument, tags).Select(m => (double?)m.Value).LastOrDefault();

    public IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> All => _measurements;

    private IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> Of(string instrument, (string Key, object Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)));

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }

    public void Dispose() => _listener.Dispose();
}
