using System.Globalization;

namespace RedisAutoExpiry.Benchmarks.TagEviction;

/// <summary>
/// The garbage collections of this process over one window: how many of each generation, and how long they paused it.
/// The reader shares the process with the eviction, so a pause here delays its reads though Redis answered in time.
/// </summary>
internal sealed record CollectionSummary(int Gen0, int Gen1, int Gen2, double PauseMilliseconds)
{
    /// <summary>What the process has collected so far; the difference of two is a window's.</summary>
    public static CollectionSummary Now() =>
        new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalMilliseconds);

    public CollectionSummary Since(CollectionSummary start) =>
        new(Gen0 - start.Gen0, Gen1 - start.Gen1, Gen2 - start.Gen2, PauseMilliseconds - start.PauseMilliseconds);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"GC {Gen0}/{Gen1}/{Gen2} (gen 0/1/2), paused {PauseMilliseconds:0.0} ms");
}
