namespace RedisAutoExpiry.Benchmarks.SideBySide;

/// <summary>A target's two calls: the baseline's and the cache's, each told its caller's number.</summary>
internal sealed record SideBySideCase(string Id, bool Latency, int Callers, Func<int, Task> Baseline, Func<int, Task> Cache);
