namespace RedisAutoExpiry.Eviction;

/// <summary>The answer to <c>DELETE …/tags/{tag}</c>, and one line of the answer to <c>POST …/evictions</c>.</summary>
internal sealed record TagEvicted(string Tag, long Evicted);
