namespace RedisAutoExpiry.FaultTest;

/// <summary>One call of the sample's eviction endpoint: which product's tag, when it was sent and answered, and how.</summary>
internal sealed record Eviction(int ProductId, DateTime SentUtc, DateTime AnsweredUtc, int Status);
