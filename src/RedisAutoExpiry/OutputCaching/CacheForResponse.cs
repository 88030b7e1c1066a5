using System.Globalization;
using Microsoft.AspNetCore.Http;
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
    private CacheForPolicy? _policy;
    private OutputCacheContext? _context;
    private string? _etag;
    private bool _servedFromCache;
    private bool _finished;

    /// <summary>
    /// A stored response was handed to the middleware. If it still renders the response (it judged the entry not
    /// fresh), that rendering lacks our headers and must not be stored.
    /// </summary>
    public bool ServedFromCache => _servedFromCache;

    /// <summary>Set on a miss: what the action wrote, so a response not buffered whole is not shared or stored.</summary>
    public ResponseBodyCounter? Body { get; private set; }

    /// <summary>The state of this request, as the guard middleware (or, without it, the policy) created it.</summary>
    public static CacheForResponse? Of(HttpContext httpContext) => httpContext.Features.Get<CacheForResponse>();

    /// <summary>Creates the state and arranges for <see cref="Finish"/> to run as the headers leave.</summary>
    public static CacheForResponse Attach(HttpContext httpContext)
    {
        var response = new CacheForResponse();
        httpContext.Features.Set(response);
        httpContext.Response.OnStarting(static state =>
        {
            ((CacheForResponse)state).Finish();
            return Task.CompletedTask;
        }, response);
        return response;
    }

    /// <summary>Before the lookup: the headers of a response about to be rendered and stored, and the body counter.</summary>
    public void Begin(CacheForPolicy policy, OutputCacheContext context)
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

        headers.CacheControl = policy.CacheControl.Value;
        if (policy.Vary is { } vary)
        {
            headers.Append(HeaderNames.Vary, vary);
        }

        Body = new ResponseBodyCounter(response.Body);
        response.Body = Body;
    }

    /// <summary>
    /// A hit: the stored headers are about to be copied over the response, and only the ones the stored response has;
    /// ours must not linger where it had none. The body goes straight to the client, not through the counter.
    /// </summary>
    public void ServeFromCache()
    {
        _servedFromCache = true;
        var response = _context!.HttpContext.Response;
        if (_etag is not null && string.Equals(response.Headers.ETag, _etag, StringComparison.Ordinal))
        {
            response.Headers.Remove(HeaderNames.ETag);
        }

        response.Headers.Remove(HeaderNames.CacheControl);
        if (_policy!.Vary is not null)
        {
            response.Headers.Remove(HeaderNames.Vary);
        }

        if (Body is not null && ReferenceEquals(response.Body, Body))
        {
            // Setting the stream the previous body feature had restores that feature (the server's own writer).
            response.Body = Body.Inner;
            Body = null;
        }
    }

    // Runs as the headers leave; the guard middleware registered it first, so it runs after every other callback
    // (a session or sign-in cookie added in OnStarting is already there).
    private void Finish()
    {
        if (_finished || _policy is null || _context is null)
        {
            return;
        }

        _finished = true;
        var httpContext = _context.HttpContext;
        var response = httpContext.Response;
        if (_servedFromCache)
        {
            FinishCached(response);
        }
        else if (!_context.AllowCacheStorage || !_policy.IsStorable(httpContext) || IsGatewayTimeoutForOnlyIfCached(httpContext))
        {
            Retract(response);
        }
    }

    private void FinishCached(HttpResponse response)
    {
        var headers = response.Headers;
        if (response.StatusCode == StatusCodes.Status304NotModified)
        {
            // The middleware writes Age on a cached 200 but not on a 304 (it copies a fixed list of headers). The stored
            // Date is the creation time to the second, so this Age may be one more than the 200's, never less.
            if (_context!.ResponseTime is { } now && HeaderUtilities.TryParseDate(headers.Date.ToString(), out var created))
            {
                headers.Age = HeaderUtilities.FormatNonNegativeInt64(Math.Max(0, (long)(now - created).TotalSeconds));
            }
        }

        if (string.Equals(headers.CacheControl, _policy!.CacheControl.Value, StringComparison.Ordinal)
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
        if (string.Equals(headers.CacheControl, _policy!.CacheControl.Value, StringComparison.Ordinal))
        {
            headers.Remove(HeaderNames.CacheControl);
        }

        if (_etag is not null && string.Equals(headers.ETag, _etag, StringComparison.Ordinal))
        {
            headers.Remove(HeaderNames.ETag);
        }
    }

    private static bool IsGatewayTimeoutForOnlyIfCached(HttpContext httpContext) =>
        httpContext.Response.StatusCode == StatusCodes.Status504GatewayTimeout
        && HeaderUtilities.ContainsCacheDirective(httpContext.Request.Headers.CacheControl, CacheControlHeaderValue.OnlyIfCachedString);
}
