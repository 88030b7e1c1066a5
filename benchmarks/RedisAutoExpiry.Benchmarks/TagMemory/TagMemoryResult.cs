namespace RedisAutoExpiry.Benchmarks.TagMemory;

/// <summary>One run: <c>used_memory</c> growth per entry for bare string keys and for the cache's tagged entries.</summary>
internal sealed record TagMemoryResult(int Run, int Entries, int ValueSize, double BarePerEntry, double CachePerEntry)
{
    public double OverheadPerEntry => CachePerEntry - BarePerEntry;
}
