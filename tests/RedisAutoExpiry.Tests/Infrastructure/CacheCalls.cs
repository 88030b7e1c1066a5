using Microsoft.Extensions.Caching.Distributed;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>Runs one cache operation through its sync or its async method, so each test covers both paths.</summary>
public static class CacheCalls
{
    public static async Task<byte[]?> GetAsync(this RedisAutoExpiryCache cache, string key, bool async) =>
        async ? await cache.GetAsync(key) : cache.Get(key);

    public static async Task SetAsync(this RedisAutoExpiryCache cache, string key, byte[] value, DistributedCacheEntryOptions options, bool async)
    {
        if (async)
        {
            await cache.SetAsync(key, value, options);
        }
        else
        {
            cache.Set(key, value, options);
        }
    }

    public static async Task RefreshAsync(this RedisAutoExpiryCache cache, string key, bool async)
    {
        if (async)
        {
            await cache.RefreshAsync(key);
        }
        else
        {
            cache.Refresh(key);
        }
    }

    public static async Task RemoveAsync(this RedisAutoExpiryCache cache, string key, bool async)
    {
        if (async)
        {
            await cache.RemoveAsync(key);
        }
        else
        {
            cache.Remove(key);
        }
    }
}
