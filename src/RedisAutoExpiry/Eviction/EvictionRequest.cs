namespace RedisAutoExpiry.Eviction;

/// <summary>The body of <c>POST …/evictions</c>: <c>{"tags": ["product:1", "products"]}</c>.</summary>
internal sealed class EvictionRequest
{
    public string?[]? Tags { get; set; }
}
