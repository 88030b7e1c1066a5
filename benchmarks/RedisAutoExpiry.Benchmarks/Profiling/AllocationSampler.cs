using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace RedisAutoExpiry.Benchmarks.Profiling;

/// <summary>
/// Which types a loop allocates, from the runtime's allocation samples (one event per ~100 KB allocated, naming the
/// object that crossed the mark). No profiler needed. A lead, not a measure: an event fires only when an allocation
/// needs a fresh allocation context, which favours large objects, so small ones allocated beside them (a task, a
/// message) are often named for each other or not at all. Bytes per call are exact (GC.GetTotalAllocatedBytes).
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, int> _samples = new();
    private volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (_recording && eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true
            && eventData.PayloadNames?.IndexOf("TypeName") is >= 0 and var index)
        {
            _samples.AddOrUpdate(eventData.Payload![index]?.ToString() ?? "?", 1, static (_, count) => count + 1);
        }
    }

    /// <summary>Each type's share of the bytes allocated while recording, given their total per call.</summary>
    public void Print(double bytesPerCall)
    {
        var total = _samples.Values.Sum();
        foreach (var (type, count) in _samples.OrderByDescending(pair => pair.Value).Take(30))
        {
            Console.WriteLine($"{bytesPerCall * count / total,8:N1} B/call  {count,6} samples  {type}");
        }
    }
}
