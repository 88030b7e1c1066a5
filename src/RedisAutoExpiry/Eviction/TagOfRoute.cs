using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace RedisAutoExpiry.Eviction;

/// <summary>Reads the tag of <c>DELETE …/tags/{**tag}</c> exactly as the client percent-encoded it.</summary>
internal static class TagOfRoute
{
    /// <summary>
    /// The server decodes a path except <c>%2F</c> and also turns <c>%25</c> into <c>%</c>, so the route value cannot
    /// tell <c>a%2Fb</c> (meaning <c>a/b</c>) from <c>a%252Fb</c> (meaning <c>a%2Fb</c>). The raw request target still
    /// can: its last segments, one per segment of the route value, are the tag as sent, and decoding them fully gives
    /// the tag (<c>Uri.EscapeDataString(tag)</c> on the client round-trips). Kestrel, IIS and HTTP.sys give the raw
    /// target. Where it is missing (TestServer) or does not match the route value (dot segments removed), the route
    /// value is used with <c>%2F</c> read as <c>/</c>, the usual meaning.
    /// </summary>
    public static string Read(HttpContext context, string routeValue)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return DecodeSlashes(routeValue);
        }

        var query = raw.IndexOfAny(['?', '#']);
        var rawPath = query < 0 ? raw.AsSpan() : raw.AsSpan(0, query);
        var slash = rawPath.Length;
        for (var segments = routeValue.AsSpan().Count('/') + 1; segments > 0; segments--)
        {
            slash = rawPath[..slash].LastIndexOf('/');
            if (slash < 0)
            {
                return DecodeSlashes(routeValue);
            }
        }

        var rawTag = rawPath[(slash + 1)..].ToString();
        return PathString.FromUriComponent("/" + rawTag).Value == "/" + routeValue ? Uri.UnescapeDataString(rawTag) : DecodeSlashes(routeValue);
    }

    private static string DecodeSlashes(string routeValue) => routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
}
