using RedisAutoExpiry;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The minimal API form of <see cref="CacheForAttribute"/>.</summary>
public static class CacheForEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Caches the endpoint's responses in Redis for <paramref name="seconds"/> with the caching headers that match,
    /// exactly as <see cref="CacheForAttribute"/> does on a controller:
    /// <c>app.MapGet("/products/{id}", …).CacheFor(60, p => p.Tags = ["product:{id}"])</c>.
    /// </summary>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="seconds">How long the server holds a response; 0 turns caching off.</param>
    /// <param name="configure">Sets tags, vary-by rules and client caching on the declaration.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is negative, or a setting is out of range.</exception>
    /// <exception cref="ArgumentException">A tag template is malformed.</exception>
    public static TBuilder CacheFor<TBuilder>(this TBuilder builder, int seconds, Action<CacheForAttribute>? configure = null)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var declaration = new CacheForAttribute(seconds);
        configure?.Invoke(declaration);
        builder.Add(endpoint => endpoint.Metadata.Add(declaration));
        return builder;
    }
}
