namespace RedisAutoExpiry.Tagging;

/// <summary>What one sweep did: tags visited and dead members removed.</summary>
internal sealed record SweepResult(long Tags, long Removed);
