using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// One request under <see cref="CacheForAttribute"/>: the caching headers written before the action runs (the
/// middleware captures response headers at the first body write), and their last correction as the headers leave,
/// once it is known whether the response came from the cache, from the action, or was refused storage.
/// </summary>
internal sealed class CacheForResponse
{
    private readonly CacheForPolicy _policy;
    private readonly OutputCacheContext _context;

    // Our pre-written values, compared by reference: a stored header copied over them on a hit is another string
    // instance even when equal (the policy's are never interned), so what is still ours on a hit is what the stored
    // response did not have.
    private readonly string? _etag;
    private readonly string _cacheControl;
    private readonly string? _vary;
    private bool _finished;

    private CacheForResponse(CacheForPolicy policy, OutputCacheContext context)
    {
        _policy = policy;
        _context = context;
        var response = context.HttpContext.Response;
        var headers = response.Headers;
        if (StringValues.IsNullOrEmpty(headers.ETag))
        {
            _etag = EntityTags.Create();
            headers.ETag = _etag;
        }

        _cacheControl = policy.CacheControl.Value;
        headers.CacheControl = _cacheControl;
        if (policy.Vary is { } vary)
        {
            _vary = vary;
            headers.Append(HeaderNames.Vary, _vary);
        }

        // Under the middleware's buffering stream, to learn whether it buffered the whole body (see the counter).
        Body = new ResponseBodyCounter(context.HttpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.HttpContext.Features.Set<IHttpResponseBodyFeature>(Body);
    }

    /// <summary>
    /// The middleware was handed a stored response. If it renders the response anyway (it judged the entry not fresh),
    /// that rendering has no counter and must not be stored.
    /// </summary>
    public bool HitAttempted { get; private set; }

    /// <summary>Set on a miss: what the action wrote, so a response not buffered whole is not shared or stored.</summary>
    public ResponseBodyCounter? Body { get; private set; }

    public static CacheForResponse? Of(HttpContext httpContext) => httpContext.Features.Get<CacheForResponse>();

    /// <summary>
    /// Before the lookup of a request the policy may cache: writes the headers and arranges for their correction as
    /// the headers leave, from the guard middleware's callback when it is there (it runs after every other), else
    /// from one of our own.
    /// </summary>
    public static void Begin(CacheForPolicy policy, OutputCacheContext context, CacheForServices services)
    {
        var httpContext = context.HttpContext;
        var response = new CacheForResponse(policy, context);
        httpContext.Features.Set(response);
        if (!services.FromGuard)
        {
            httpContext.Response.OnStarting(CacheForResponseGuard.FinishCallback, httpContext);
        }
    }

    /// <summary>
    /// A hit is about to be served: the stored body goes straight to the server's own writer, not through the counter.
    /// The headers stay until <see cref="Finish"/>, since the middleware may still render the response.
    /// </summary>
    public void ServeFromCache()
    {
        HitAttempted = true;
        if (Body is { } counter)
        {
            _context.HttpContext.Features.Set(counter.Prior);
            Body = null;
        }
    }

    /// <summary>Runs once, as the headers leave.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        var httpContext = _context.HttpContext;
        var response = httpContext.Response;

        // The middleware writes Age on every cached 200, and a 304 after a hit is its own.
        var servedFromCache = HitAttempted
            && (response.StatusCode == StatusCodes.Status304NotModified || !StringValues.IsNullOrEmpty(response.Headers.Age));
        if (servedFromCache)
        {
            FinishCached(response);
        }
        else if (HitAttempted || !_context.AllowCacheStorage || !_policy.IsStorable(httpContext) || IsGatewayTimeoutForOnlyIfCached(httpContext))
        {
            Retract(response);
        }
    }

    private void FinishCached(HttpResponse response)
    {
        var headers = response.Headers;

        // What is still ours, the stored response did not carry (the action removed it): it must not appear now.
        RemoveIfOurs(headers, HeaderNames.ETag, _etag);
        RemoveIfOurs(headers, HeaderNames.CacheControl, _cacheControl);
        RemoveIfOurs(headers, HeaderNames.Vary, _vary);

        if (response.StatusCode == StatusCodes.Status304NotModified
            && _context.ResponseTime is { } now && HeaderUtilities.TryParseDate(headers.Date.ToString(), out var created))
        {
            // The middleware writes Age on a cached 200 but not on a 304 (it copies a fixed list of headers). The
            // stored Date is the creation time to the second, so this Age may be one more than the 200's, never less.
            headers.Age = HeaderUtilities.FormatNonNegativeInt64(Math.Max(0, (long)(now - created).TotalSeconds));
        }

        if (_policy.CacheControl.VariesWithAge
            && string.Equals(headers.CacheControl, _policy.CacheControl.Value, StringComparison.Ordinal)
            && long.TryParse(headers.Age, NumberStyles.None, CultureInfo.InvariantCulture, out var age))
        {
            headers.CacheControl = _policy.CacheControl.ForAge(age);
        }
    }

    // A response the server will not store (a 404, one setting a cookie, the action's own 304) must not tell clients
    // or CDNs to keep it, nor carry an ETag no revalidation can match.
    private void Retract(HttpResponse response)
    {
        var headers = response.Headers;
        if (string.Equals(headers.CacheControl, _cacheControl, StringComparison.Ordinal))
        {
            headers.Remove(HeaderNames.CacheControl);
        }

        if (_etag is not null && string.Equals(headers.ETag, _etag, StringComparison.Ordinal))
        {
            headers.Remove(HeaderNames.ETag);
        }
    }

    private static void RemoveIfOurs(IHeaderDictionary headers, string name, string? ours)
    {
        if (ours is not null && headers.TryGetValue(name, out var values) && values.Count == 1 && ReferenceEquals(values[0], ours))
        {
            headers.Remove(name);
        }
    }

    private static bool IsGatewayTimeoutForOnlyIfCached(HttpContext httpContext) =>
        httpContext.Response.StatusCode == StatusCodes.Status504GatewayTimeout
        && HeaderUtilities.ContainsCacheDirective(httpContext.Request.Headers.CacheControl, CacheControlHeaderValue.OnlyIfCachedString);
}
