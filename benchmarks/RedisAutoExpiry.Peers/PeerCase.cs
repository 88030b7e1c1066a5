namespace RedisAutoExpiry.Peers;

/// <summary>One call measured on Microsoft's cache (the baseline) and on ours, by <c>callers</c> concurrent loops.</summary>
internal sealed record PeerCase(string Name, bool Latency, int Callers, Func<int, Task> Microsoft, Func<int, Task> Ours);
