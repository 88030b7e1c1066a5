using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>Requests as the output cache middleware presents them to the store: ones that may render, store and wait.</summary>
public static class CacheableRequests
{
    public static DefaultHttpContext Create()
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IOutputCacheFeature>(new OutputCacheFeature(new OutputCacheContext
        {
            HttpContext = context,
            AllowLocking = true,
            AllowCacheStorage = true,
        }));
        return context;
    }

    private sealed class OutputCacheFeature(OutputCacheContext context) : IOutputCacheFeature
    {
        public OutputCacheContext Context { get; } = context;
    }
}
