namespace RedisAutoExpiry.FaultTest;

/// <summary>
/// One GET as the load generator saw it: when it was due (seconds since the start) and how long after that its
/// response arrived, so a stalled server cannot hide its stall by slowing the load down.
/// </summary>
internal sealed record Sample(double DueAt, double LatencyMs, int Status, bool Hit, int ProductId, DateTime SentUtc, DateTime? GeneratedAt);
