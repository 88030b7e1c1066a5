namespace RedisAutoExpiry;

/// <summary>
/// Limits of the eviction endpoint mapped by <c>app.MapCacheEviction()</c>; set them with
/// <c>builder.Services.Configure&lt;CacheEvictionOptions&gt;(o => …)</c>.
/// </summary>
public sealed class CacheEvictionOptions
{
    /// <summary>
    /// Most tags one <c>POST …/evictions</c> may name; more is a 400 and nothing is evicted. Each tag is an eviction of
    /// its own, so this bounds the work one request can start. Default: 100.
    /// </summary>
    public int MaximumTagsPerRequest { get; set; } = 100;
}
