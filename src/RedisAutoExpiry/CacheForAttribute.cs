using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;
using RedisAutoExpiry.OutputCaching;

namespace RedisAutoExpiry;

/// <summary>
/// Caches the responses of a controller or action in Redis for <see cref="Seconds"/> and writes the HTTP caching
/// headers that match: by default <c>Cache-Control: no-cache</c> and an <c>ETag</c>, so clients revalidate and get a
/// 304 while the server holds the response, and an eviction reaches them at once. On a controller it applies to every
/// action; on an action it replaces the controller's. Minimal APIs: <c>.CacheFor(seconds, …)</c>.
/// </summary>
/// <remarks>
/// <para>Cached: GET and HEAD requests without an <c>Authorization</c> header or an authenticated user (unless
/// <see cref="CacheAuthenticatedRequests"/>), whose response has a status in <see cref="CacheableStatusCodes"/>, sets
/// no cookie and does not say <c>no-store</c>. The key holds the method, scheme, host, path base, path and the varied
/// values, so two hosts never share an entry. Every stored response also carries the tag
/// <c>path:&lt;host&gt;&lt;pathbase&gt;&lt;path&gt;</c> (lowercased unless <c>OutputCacheOptions.UseCaseSensitivePaths</c>).</para>
/// <para>Needs the output cache middleware, placed after authentication: <c>app.UseRedisAutoExpiryCache()</c>.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class CacheForAttribute : Attribute, IOutputCachePolicy
{
    private string[] _tags = [];
    private TagTemplate[] _templates = [];
    private int _clientDuration;
    private int[] _cacheableStatusCodes = [200];
    private CacheForPolicy? _policy;

    /// <summary>Caches responses for <paramref name="seconds"/>; 0 turns caching off (e.g. on one action of a cached controller).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is negative.</exception>
    public CacheForAttribute(int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        Seconds = seconds;
    }

    /// <summary>How long the server holds a response, in seconds; Redis expires it then.</summary>
    public int Seconds { get; }

    /// <summary>
    /// Tags of each stored response, to evict it by. <c>{name}</c> is replaced by the route value <c>name</c>
    /// (<c>"product:{id}"</c>); <c>{{</c> and <c>}}</c> are literal braces. A request lacking a named route value is
    /// not cached. Default: none (the implicit <c>path:</c> tag is always added).
    /// </summary>
    /// <exception cref="ArgumentException">A template is empty or has a malformed placeholder.</exception>
    public string[] Tags
    {
        get => _tags;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _templates = [.. value.Select(TagTemplate.Parse)];
            _tags = value;
        }
    }

    /// <summary>Query keys the cache key varies by. Default: <see langword="null"/>, every query key; empty: none.</summary>
    public string[]? VaryByQuery { get; set; }

    /// <summary>Request headers the cache key varies by; they are also listed in the response's <c>Vary</c>. Default: none.</summary>
    public string[]? VaryByHeader { get; set; }

    /// <summary>Route values the cache key varies by (beyond the path, which it always holds). Default: none.</summary>
    public string[]? VaryByRouteValue { get; set; }

    /// <summary>
    /// Lets clients and shared caches keep each response for this many seconds from when they get it:
    /// <c>Cache-Control: public, max-age=…</c> (or <c>private</c> with <see cref="Location"/>
    /// <see cref="ResponseCacheLocation.Client"/>) with the middleware's <c>Age</c>, max-age chosen per response so
    /// that max-age − Age is ClientDuration, or what Redis still holds if that is less. A copy kept by a browser or
    /// CDN outlives an eviction. Default: 0, clients revalidate every time.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, or longer than <see cref="Seconds"/>.</exception>
    public int ClientDuration
    {
        get => _clientDuration;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Seconds,
                "ClientDuration must not exceed Seconds: clients would keep a response after the server has dropped it.");
            _clientDuration = value;
        }
    }

    /// <summary>
    /// Who may keep the response: <see cref="ResponseCacheLocation.None"/> (default) makes clients revalidate unless
    /// <see cref="ClientDuration"/> is set, which implies <see cref="ResponseCacheLocation.Any"/> (<c>public</c>);
    /// <see cref="ResponseCacheLocation.Client"/> is <c>private</c>. Either of the last two without a
    /// <see cref="ClientDuration"/> uses <see cref="Seconds"/> as <c>max-age</c>.
    /// </summary>
    public ResponseCacheLocation Location { get; set; } = ResponseCacheLocation.None;

    /// <summary>
    /// Caches responses to requests with an <c>Authorization</c> header or an authenticated user too. Only for
    /// responses that are the same for every user: all users share one entry. Default: <see langword="false"/>.
    /// </summary>
    public bool CacheAuthenticatedRequests { get; set; }

    /// <summary>Response statuses that are stored. Default: 200 only.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A status outside 200–599, or 206 or 304 (partial and conditional responses).</exception>
    public int[] CacheableStatusCodes
    {
        get => _cacheableStatusCodes;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            foreach (var status in value)
            {
                if (status is < 200 or > 599 or 206 or 304)
                {
                    throw new ArgumentOutOfRangeException(nameof(value), status,
                        "Cacheable statuses are 200-599, except 206 and 304 (partial and conditional responses).");
                }
            }

            _cacheableStatusCodes = value;
        }
    }

    internal IReadOnlyList<TagTemplate> TagTemplates => _templates;

    // Built on first use, after the object initializer (or the minimal API's configure callback) has set everything.
    private CacheForPolicy Policy => _policy ??= new CacheForPolicy(this);

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation) =>
        Policy.CacheRequestAsync(context, cancellation);

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) =>
        Policy.ServeFromCacheAsync(context, cancellation);

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation) =>
        Policy.ServeResponseAsync(context, cancellation);
}
