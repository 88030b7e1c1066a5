using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
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
/// stored in the cache, fills its tags, and writes the caching headers before the action runs, because the
/// middleware captures the response headers at the first body write.
/// </summary>
internal sealed class CacheForPolicy
{
    private static readonly RedisAutoExpiryTagOptions DefaultTagOptions = new();

    private readonly TimeSpan _duration;
    private readonly IReadOnlyList<TagTemplate> _templates;
    private readonly StringValues _varyByQuery;
    private readonly StringValues _varyByHeader;
    private readonly StringValues _varyByRouteValue;
    private readonly string? _vary;
    private readonly string _cacheControl;
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
        _vary = declaration.VaryByHeader is { Length: > 0 } headers ? string.Join(", ", headers) : null;
        _cacheControl = CacheControlValue(declaration);
        _cacheAuthenticated = declaration.CacheAuthenticatedRequests;
        _statusCodes = [.. declaration.CacheableStatusCodes];
    }

    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var allowed = _duration > TimeSpan.Zero && IsCacheableRequest(context.HttpContext) && TryAddTags(context);
        context.EnableOutputCaching = _duration > TimeSpan.Zero;
        context.AllowCacheLookup = allowed;
        context.AllowCacheStorage = allowed;
        context.AllowLocking = true;
        context.ResponseExpirationTimeSpan = _duration > TimeSpan.Zero ? _duration : null;
        context.CacheVaryByRules.QueryKeys = _varyByQuery;
        context.CacheVaryByRules.HeaderNames = _varyByHeader;
        context.CacheVaryByRules.RouteValueNames = _varyByRouteValue;
        if (allowed)
        {
            WriteHeaders(context);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        if (!IsStorable(context.HttpContext.Response))
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }

    private static string CacheControlValue(CacheForAttribute declaration)
    {
        if (declaration.Location == ResponseCacheLocation.None && declaration.ClientDuration == 0)
        {
            return "no-cache";
        }

        var scope = declaration.Location == ResponseCacheLocation.Client ? "private" : "public";
        var maxAge = declaration.ClientDuration > 0 ? declaration.ClientDuration : declaration.Seconds;
        return $"{scope}, max-age={maxAge}";
    }

    private bool IsCacheableRequest(HttpContext httpContext)
    {
        var request = httpContext.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        if (_cacheAuthenticated)
        {
            return true;
        }

        if (!StringValues.IsNullOrEmpty(request.Headers.Authorization) || httpContext.User.Identity?.IsAuthenticated == true)
        {
            return false;
        }

        // With authentication registered but its middleware not run yet, an anonymous-looking request may belong to a
        // signed-in user (a cookie not yet read): caching it could serve one user's page to everyone.
        if (httpContext.Features.Get<IAuthenticationFeature>() is null
            && httpContext.RequestServices.GetService<IAuthenticationSchemeProvider>() is not null)
        {
            if (Interlocked.Exchange(ref _misorderWarned, 1) == 0)
            {
                Log.AuthenticationAfterOutputCache(LoggerFor(httpContext), request.Path.Value ?? string.Empty);
            }

            return false;
        }

        return true;
    }

    private bool TryAddTags(OutputCacheContext context)
    {
        if (_templates.Count == 0)
        {
            return true;
        }

        var httpContext = context.HttpContext;
        var tagOptions = httpContext.RequestServices.GetService<IOptions<RedisAutoExpiryCacheOptions>>()?.Value.Tags ?? DefaultTagOptions;
        foreach (var template in _templates)
        {
            if (!template.TryRender(httpContext.Request.RouteValues, out var tag, out var missing) || !TagList.IsValid(tag, tagOptions))
            {
                Log.TagUnresolved(LoggerFor(httpContext), httpContext.Request.Path.Value ?? string.Empty, template.Template, missing ?? string.Empty);
                return false;
            }

            context.Tags.Add(tag);
        }

        return true;
    }

    private void WriteHeaders(OutputCacheContext context)
    {
        var response = context.HttpContext.Response;
        var headers = response.Headers;
        var etag = StringValues.IsNullOrEmpty(headers.ETag) ? EntityTags.Create() : null;
        if (etag is not null)
        {
            headers.ETag = etag;
        }

        headers.CacheControl = _cacheControl;
        if (_vary is not null)
        {
            headers.Append(HeaderNames.Vary, _vary);
        }

        response.OnStarting(static state =>
        {
            var (policy, context, etag) = ((CacheForPolicy, OutputCacheContext, string?))state;
            policy.OnResponseStarting(context, etag);
            return Task.CompletedTask;
        }, (this, context, etag));
    }

    // Runs as the headers leave, whether the response came from the action or the cache.
    private void OnResponseStarting(OutputCacheContext context, string? etag)
    {
        var response = context.HttpContext.Response;
        if (response.StatusCode == StatusCodes.Status304NotModified)
        {
            WriteAgeOfNotModified(context);
        }
        else if (!context.AllowCacheStorage || !IsStorable(response) || IsOverBodyLimit(context.HttpContext))
        {
            RetractHeaders(response, etag);
        }
    }

    // A body over the limit is served but not stored. Its size is known here only when Content-Length is set; a
    // streamed (chunked) one that outgrows the limit keeps the headers, which is harmless with the default no-cache.
    private static bool IsOverBodyLimit(HttpContext httpContext) =>
        httpContext.Response.ContentLength is { } length
        && httpContext.RequestServices.GetService<IOptions<OutputCacheOptions>>()?.Value.MaximumBodySize is { } limit
        && length > limit;

    // The middleware writes Age on a cached 200 but not on a 304 (it copies a fixed list of headers), and a
    // revalidating client needs it to know what is left of max-age. The stored response's Date is its creation time
    // to the second, so this Age may be one more than the 200's, never less: clients err towards revalidating early.
    private static void WriteAgeOfNotModified(OutputCacheContext context)
    {
        var headers = context.HttpContext.Response.Headers;
        if (context.ResponseTime is { } now && HeaderUtilities.TryParseDate(headers.Date.ToString(), out var created))
        {
            headers.Age = HeaderUtilities.FormatNonNegativeInt64(Math.Max(0, (long)(now - created).TotalSeconds));
        }
    }

    // A response the server will not store (a 404, one setting a cookie) must not tell clients or CDNs to keep it,
    // nor carry an ETag no revalidation can match.
    private void RetractHeaders(HttpResponse response, string? etag)
    {
        var headers = response.Headers;
        if (string.Equals(headers.CacheControl, _cacheControl, StringComparison.Ordinal))
        {
            headers.Remove(HeaderNames.CacheControl);
        }

        if (etag is not null && string.Equals(headers.ETag, etag, StringComparison.Ordinal))
        {
            headers.Remove(HeaderNames.ETag);
        }
    }

    private bool IsStorable(HttpResponse response) =>
        _statusCodes.Contains(response.StatusCode)
        && StringValues.IsNullOrEmpty(response.Headers.SetCookie)
        && !HeaderUtilities.ContainsCacheDirective(response.Headers.CacheControl, CacheControlHeaderValue.NoStoreString);

    private static ILogger LoggerFor(HttpContext httpContext) =>
        httpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<CacheForAttribute>();
}
