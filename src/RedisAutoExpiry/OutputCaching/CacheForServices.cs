using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// The app's singletons <see cref="CacheForAttribute"/> reads on every request, resolved once from the root provider.
/// The guard middleware hands this one instance to every GET and HEAD as a feature, so a hit never touches
/// <see cref="HttpContext.RequestServices"/>: nothing else on a hit's path does, and the first touch creates (and later
/// disposes) a DI scope per request.
/// </summary>
internal sealed class CacheForServices
{
    private static readonly RedisAutoExpiryTagOptions DefaultTagOptions = new();

    public CacheForServices(IServiceProvider services, bool fromGuard = false)
    {
        FromGuard = fromGuard;
        AuthorizationFallbackApplies = services.GetService<IOptions<AuthorizationOptions>>()?.Value.FallbackPolicy is not null;
        Schemes = services.GetService<IAuthenticationSchemeProvider>();
        TagOptions = services.GetService<IOptions<RedisAutoExpiryCacheOptions>>()?.Value.Tags ?? DefaultTagOptions;
        OutputCacheOptions = services.GetService<IOptions<OutputCacheOptions>>()?.Value;
        LoggerFactory = services.GetRequiredService<ILoggerFactory>();
    }

    /// <summary>
    /// The guard middleware's instance, handed to the request with its callback that finishes [CacheFor] responses
    /// (see <see cref="CacheForResponseGuard"/>); false for one resolved without the guard.
    /// </summary>
    public bool FromGuard { get; }

    /// <summary>Whether the app's authorization has a fallback policy (which covers endpoints that declare nothing).</summary>
    public bool AuthorizationFallbackApplies { get; }

    /// <summary>The authentication schemes, or null in an app without authentication services.</summary>
    public IAuthenticationSchemeProvider? Schemes { get; }

    public RedisAutoExpiryTagOptions TagOptions { get; }

    /// <summary>Largest body the middleware buffers; no limit when output caching is not registered.</summary>
    public long BodyLimit => OutputCacheOptions?.MaximumBodySize ?? long.MaxValue;

    public ILoggerFactory LoggerFactory { get; }

    private OutputCacheOptions? OutputCacheOptions { get; }

    /// <summary>The guard's instance, or (without the guard) one resolved through the request's services.</summary>
    public static CacheForServices Of(HttpContext httpContext) =>
        httpContext.Features.Get<CacheForServices>() ?? new CacheForServices(httpContext.RequestServices);
}
