using Microsoft.AspNetCore.Http;
using RedisAutoExpiry.OutputCaching;

namespace RedisAutoExpiry.Eviction;

/// <summary>Maps a URL to the path tag the output cache gave its responses (see <see cref="PathTagPolicy"/>).</summary>
internal static class PathTagOfUrl
{
    private static readonly Uri Placeholder = new("http://placeholder/");

    /// <summary>
    /// The tag of <paramref name="url"/>: an absolute http(s) URL, or a path (starting with <c>/</c>) on the host the
    /// eviction request was sent to. The path is decoded as Kestrel decodes a request's (every escape but <c>%2F</c>,
    /// dot segments removed), so the tag is the one the cached request got. Query and fragment are ignored: the tag
    /// covers every query string. Null with <paramref name="problem"/> set when the URL is unusable.
    /// </summary>
    public static string? TryGet(string? url, HostString requestHost, bool caseSensitivePaths, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            problem = "The query parameter 'url' is required: an absolute http(s) URL, or a path starting with '/' on this host.";
            return null;
        }

        string host;
        Uri uri;
        if (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal))
        {
            if (!requestHost.HasValue || !Uri.TryCreate(Placeholder, url, out uri!))
            {
                problem = "The 'url' path could not be read.";
                return null;
            }

            host = requestHost.Value;
        }
        else if (Uri.TryCreate(url, UriKind.Absolute, out uri!) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.IdnHost.Length > 0)
        {
            // As a Host header names it: punycode, IPv6 in brackets, the port only when it is not the scheme's default.
            var name = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
            host = uri.IsDefaultPort ? name : $"{name}:{uri.Port}";
        }
        else
        {
            problem = "The 'url' must be an absolute http or https URL, or a path starting with '/' on this host.";
            return null;
        }

        var path = PathString.FromUriComponent(uri.AbsolutePath);
        return PathTagPolicy.For(host, string.Empty, path.Value ?? "/", caseSensitivePaths);
    }
}
