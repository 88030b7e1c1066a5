using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using RedisAutoExpiry.Logging;
using RedisAutoExpiry.Tagging;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// What <see cref="CacheForAttribute"/> does on each request: decides whether the request may be served from and
/// stored in the cache, fills its tags, and hands the caching headers to <see cref="CacheForResponse"/>.
/// </summary>
internal sealed class CacheForPolicy
{
    private readonly TimeSpan _duration;
    private readonly IReadOnlyList<TagTemplate> _templates;
    private readonly StringValues _varyByQuery;
    private readonly StringValues _varyByHeader;
    private readonly StringValues _varyByRouteValue;
    private readonly bool _cacheAuthenticated;
    private readonly HashSet<int> _statusCodes;
    private int _misorderWarned;

    public CacheForPolicy(CacheForAttribute declaration)
    {
        _duration = TimeSpan.FromSeconds(declaration.Seconds);
        _templates = declaration.TagTemplates;
        _varyByQuery = declaration.VaryByQuery is { } query ? new StringValues(query) : new StringValues("*");
        _varyByHeader = new StringValues(declaration.VaryByHeader ?? []);
        _varyByRouteValue = new StringValues(declaration.VaryByRouteValue ?? []);
        // A fresh instance, never an interned literal: CacheForResponse tells its own pre-written value from a stored
        // one by reference.
        Vary = declaration.VaryByHeader is { Length: > 0 } headers ? new string(string.Join(", ", headers)) : null;
        CacheControl = new ClientCacheControl(declaration);
        _cacheAuthenticated = declaration.CacheAuthenticatedRequests;
        _statusCodes = [.. declaration.CacheableStatusCodes];
    }

    public ClientCacheControl CacheControl { get; }

    /// <summary>The response's <c>Vary</c>: the headers the key varies by, or null.</summary>
    public string? Vary { get; }

    public async ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var enabled = _duration > TimeSpan.Zero;
        var services = enabled ? await CacheableAsync(context).ConfigureAwait(false) : null;
        var allowed = services is not null;
        context.EnableOutputCaching = enabled;
        context.AllowCacheLookup = allowed;
        context.AllowCacheStorage = allowed;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = enabled ? _duration : null;
        context.CacheVaryByRules.QueryKeys = _varyByQuery;
        context.CacheVaryByRules.HeaderNames = _varyByHeader;
        context.CacheVaryByRules.RouteValueNames = _varyByRouteValue;
        if (services is not null)
        {
            CacheForResponse.Begin(this, context, services);
        }
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        CacheForResponse.Of(context.HttpContext)?.ServeFromCache();
        return ValueTask.CompletedTask;
    }

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        // Null when this declaration declined the request: another policy on the endpoint may still cache it.
        var response = CacheForResponse.Of(context.HttpContext);
        if (response is not null
            && (response.HitAttempted || !IsStorable(context.HttpContext) || !IsWhole(context.HttpContext, response.Body)))
        {
            // Also what keeps the middleware from handing this response to requests waiting on the same key.
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Whether the response's status and headers allow storing it: a listed status, no cookie, no <c>no-store</c> or
    /// <c>private</c> of the action's own, a Content-Length within the body limit, and the client still there.
    /// </summary>
    public bool IsStorable(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cacheControl = response.Headers.CacheControl;
        if (!_statusCodes.Contains(response.StatusCode)
            || !StringValues.IsNullOrEmpty(response.Headers.SetCookie)
            || HeaderUtilities.ContainsCacheDirective(cacheControl, CacheControlHeaderValue.NoStoreString)
            || (HeaderUtilities.ContainsCacheDirective(cacheControl, CacheControlHeaderValue.PrivateString)
                && !string.Equals(cacheControl, CacheControl.Value, StringComparison.Ordinal))
            || httpContext.RequestAborted.IsCancellationRequested)
        {
            return false;
        }

        return !(response.ContentLength > BodyLimit(httpContext));
    }

    /// <summary>
    /// Once the action has returned: whether the middleware buffered the whole body. A body over the limit, a failed
    /// write or a Content-Length mismatch leaves it with a partial or empty body it would still share.
    /// </summary>
    private static bool IsWhole(HttpContext httpContext, ResponseBodyCounter? body)
    {
        if (body is null)
        {
            return true;
        }

        var contentLength = httpContext.Response.ContentLength;
        return !body.Failed
            && body.Written <= BodyLimit(httpContext)
            && (contentLength is null || contentLength == body.Written || (body.Written == 0 && HttpMethods.IsHead(httpContext.Request.Method)));
    }

    private static long BodyLimit(HttpContext httpContext) => CacheForServices.Of(httpContext).BodyLimit;

    // The app's services when the request may be served from and stored in the cache; null when not.
    private async ValueTask<CacheForServices?> CacheableAsync(OutputCacheContext context)
    {
        var httpContext = context.HttpContext;
        if (!CacheableRequest.IsAllowed(httpContext, _cacheAuthenticated)
            || CacheableRequest.HasKeyDelimiters(httpContext, _varyByQuery, _varyByHeader, _varyByRouteValue))
        {
            return null;
        }

        var services = CacheForServices.Of(httpContext);
        if (!await CacheableRequest.SecurityRanFirstAsync(httpContext, services).ConfigureAwait(false))
        {
            if (Interlocked.Exchange(ref _misorderWarned, 1) == 0)
            {
                Log.OutputCacheBeforeSecurity(services.LoggerFactory.CreateLogger<CacheForAttribute>(), httpContext.Request.Path.Value ?? string.Empty);
            }

            return null;
        }

        return TryAddTags(context, services) ? services : null;
    }

    private bool TryAddTags(OutputCacheContext context, CacheForServices services)
    {
        if (_templates.Count == 0)
        {
            return true;
        }

        var httpContext = context.HttpContext;
        var tagOptions = services.TagOptions;
        foreach (var template in _templates)
        {
            if (!template.TryRender(httpContext.Request.RouteValues, out var tag, out var missing) || !TagList.IsValid(tag, tagOptions))
            {
                Log.TagUnresolved(services.LoggerFactory.CreateLogger<CacheForAttribute>(), httpContext.Request.Path.Value ?? string.Empty, template.Template, missing ?? string.Empty);
                return false;
            }

            context.Tags.Add(tag);
        }

        return true;
    }
}
