using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>The request-side rules of <see cref="CacheForAttribute"/>: which requests may be served from and stored in the cache.</summary>
internal static class CacheableRequest
{
    // Set by AuthorizationMiddleware once it has evaluated the endpoint (the key EndpointMiddleware also checks).
    private const string AuthorizationRanKey = "__AuthorizationMiddlewareWithEndpointInvoked";

    /// <summary>GET or HEAD, and anonymous unless the declaration opts in.</summary>
    public static bool IsAllowed(HttpContext httpContext, bool cacheAuthenticated)
    {
        var request = httpContext.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        // The user through its feature: HttpContext.User would create (and store) an anonymous principal for every
        // request of an app that authenticates nobody.
        return cacheAuthenticated
            || (StringValues.IsNullOrEmpty(request.Headers.Authorization)
                && httpContext.Features.Get<IHttpAuthenticationFeature>()?.User?.Identity?.IsAuthenticated != true);
    }

    /// <summary>
    /// Whether authentication and authorization, when the app uses them, have run before output caching. If not, an
    /// anonymous-looking request may belong to a user signed in by cookie, and a cached response would skip the
    /// endpoint's authorization: a stored page could reach users it was never meant for.
    /// </summary>
    public static ValueTask<bool> SecurityRanFirstAsync(HttpContext httpContext, CacheForServices services)
    {
        // Items only when authorization applies: a request's first touch of Items allocates them.
        if (AuthorizationApplies(httpContext, services) && !httpContext.Items.ContainsKey(AuthorizationRanKey))
        {
            return new(false);
        }

        // Schemes first: an app without authentication services skips the feature lookup, which for a feature the
        // request lacks walks the connection's features too.
        if (services.Schemes is not { } schemes || httpContext.Features.Get<IAuthenticationFeature>() is not null)
        {
            return new(true);
        }

        return HasNoSchemesAsync(schemes);
    }

    // MVC registers the scheme provider even in apps without authentication; only real schemes mean a user to wait for.
    private static async ValueTask<bool> HasNoSchemesAsync(IAuthenticationSchemeProvider schemes) =>
        !(await schemes.GetAllSchemesAsync().ConfigureAwait(false)).Any();

    // Whether the authorization middleware would evaluate a policy for this endpoint: its own metadata, or the app's
    // fallback policy (which covers endpoints that declare nothing).
    private static bool AuthorizationApplies(HttpContext httpContext, CacheForServices services)
    {
        var metadata = httpContext.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<IAllowAnonymous>() is not null)
        {
            return false;
        }

        if (metadata is not null
            && (metadata.GetMetadata<IAuthorizeData>() is not null
                || metadata.GetMetadata<AuthorizationPolicy>() is not null
                || metadata.GetMetadata<IAuthorizationRequirementData>() is not null))
        {
            return true;
        }

        return services.AuthorizationFallbackApplies;
    }

    /// <summary>
    /// Whether a part of the cache key holds the middleware's key delimiters (U+001E, U+001F). It then builds an
    /// empty key, and its request coalescing would hand every such request the same response (aspnetcore #67763).
    /// </summary>
    public static bool HasKeyDelimiters(HttpContext httpContext, StringValues varyByQuery, StringValues varyByHeader, StringValues varyByRouteValue)
    {
        var request = httpContext.Request;
        if (HasDelimiter(request.PathBase.Value) || HasDelimiter(request.Path.Value))
        {
            return true;
        }

        if (varyByQuery is ["*"])
        {
            // Every query key and value goes into the key.
            var query = request.QueryString.Value;
            if (query is not null && (HasDelimiter(query) || (query.Contains('%') && HasDelimiter(Uri.UnescapeDataString(query)))))
            {
                return true;
            }
        }
        else
        {
            // Only the named keys' values do: a stray parameter must not switch caching off.
            foreach (var key in varyByQuery)
            {
                foreach (var value in request.Query[key!])
                {
                    if (HasDelimiter(value))
                    {
                        return true;
                    }
                }
            }
        }

        foreach (var header in varyByHeader)
        {
            foreach (var value in request.Headers[header!])
            {
                if (HasDelimiter(value))
                {
                    return true;
                }
            }
        }

        foreach (var name in varyByRouteValue)
        {
            if (HasDelimiter(Convert.ToString(request.RouteValues[name!], System.Globalization.CultureInfo.InvariantCulture)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasDelimiter(string? value) => value is not null && value.AsSpan().IndexOfAny('\u001e', '\u001f') >= 0;
}
