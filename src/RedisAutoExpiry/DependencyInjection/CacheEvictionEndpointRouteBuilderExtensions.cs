using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RedisAutoExpiry;
using RedisAutoExpiry.Eviction;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the HTTP endpoint that evicts cached entries and responses by tag or by URL.</summary>
public static class CacheEvictionEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="pattern"/>:
    /// <list type="bullet">
    /// <item><c>DELETE {pattern}/tags/{**tag}</c> → 200 <c>{"tag": "…", "evicted": N}</c>. The tag may contain <c>/</c>;
    /// percent-encode it (<c>Uri.EscapeDataString</c>) and it arrives exactly.</item>
    /// <item><c>POST {pattern}/evictions</c> with <c>{"tags": ["…"]}</c> → 200 <c>{"tags": [{"tag": "…", "evicted": N}], "evicted": total}</c>.</item>
    /// <item><c>DELETE {pattern}/entries?url=…</c> → 200 <c>{"url": "…", "tag": "path:…", "evicted": N}</c>: every
    /// cached response of one URL (all query strings and varied versions), through the path tag output caching gives
    /// it. The URL is absolute, or a path on the host the request is sent to.</item>
    /// </list>
    /// Bad input (an empty, over-long or invalid tag, too many tags, malformed JSON, a bad URL) is a 400 ProblemDetails
    /// and evicts nothing; a Redis failure is a 503 ProblemDetails, never a success.
    /// </summary>
    /// <remarks>
    /// Secure by default: the endpoint answers 401 to every call until the app names its authorization, e.g.
    /// <c>app.MapCacheEviction().RequireAuthorization("CacheAdmin")</c>, or opens it explicitly with
    /// <c>.AllowAnonymous()</c>. Authorization declared on an enclosing group counts. Each eviction is logged at
    /// Information with the user's name (event 20). Limits: <see cref="CacheEvictionOptions"/>.
    /// </remarks>
    /// <param name="endpoints">The app, or a route group.</param>
    /// <param name="pattern">The base path. Default: <c>/cache</c>.</param>
    /// <returns>The group of the three endpoints, for <c>RequireAuthorization</c>, rate limiting or OpenAPI conventions.</returns>
    public static RouteGroupBuilder MapCacheEviction(this IEndpointRouteBuilder endpoints, string pattern = "/cache")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        if (endpoints.ServiceProvider.GetService<EvictionHandler>() is null)
        {
            throw new InvalidOperationException("MapCacheEviction needs the cache: call builder.Services.AddRedisAutoExpiryCache() first.");
        }

        var group = endpoints.MapGroup(pattern);
        group.MapDelete("/tags/{**tag}", static (HttpContext context, EvictionHandler handler) => handler.EvictTagAsync(context))
            .WithSummary("Evicts every entry and cached response carrying a tag.")
            .Produces<TagEvicted>();
        group.MapPost("/evictions", static (HttpContext context, EvictionHandler handler) => handler.EvictTagsAsync(context))
            .WithSummary("Evicts every entry and cached response carrying any of the tags.")
            .Accepts<EvictionRequest>("application/json")
            .Produces<TagsEvicted>()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapDelete("/entries", static (HttpContext context, EvictionHandler handler) => handler.EvictUrlAsync(context))
            .WithSummary("Evicts every cached response of one URL.")
            .Produces<UrlEvicted>();
        group.ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithTags("Cache");
        ((IEndpointConventionBuilder)group).Finally(EvictionAuthorizationMissing.MarkIfUnsecured);
        return group;
    }
}
