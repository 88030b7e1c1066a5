namespace RedisAutoExpiry.Tagging;

/// <summary>
/// Which <c>maxmemory-policy</c> values keep tag sets safe. Tag sets and entry indexes carry no TTL, so the
/// <c>volatile-*</c> policies (which evict only keys with a TTL) and <c>noeviction</c> never evict them; the
/// <c>allkeys-*</c> policies may evict a tag set while its entries live on, and those entries can then no longer be
/// evicted by that tag.
/// </summary>
internal static class EvictionPolicy
{
    public static bool KeepsTagSets(string policy) => !policy.StartsWith("allkeys-", StringComparison.OrdinalIgnoreCase);
}
