using RedisAutoExpiry;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds RedisAutoExpiry's output caching to the request pipeline.</summary>
public static class RedisAutoExpiryApplicationBuilderExtensions
{
    /// <summary>
    /// Turns on output caching (the standard <c>UseOutputCache()</c> middleware, on the Redis store that
    /// <c>AddRedisAutoExpiryCache</c> registered), so <see cref="CacheForAttribute"/>, <c>.CacheFor(…)</c> and
    /// <c>[OutputCache]</c> take effect.
    /// </summary>
    /// <remarks>
    /// Call it after <c>UseAuthentication()</c> and <c>UseAuthorization()</c> (and after <c>UseCors()</c>), before the
    /// endpoints: placed earlier, it would run before the user is known and could store a signed-in user's page for
    /// everyone; <see cref="CacheForAttribute"/> then refuses to cache and logs a warning (event 17). This is also why
    /// registering services cannot add it for you: middleware added from DI runs before routing and authentication.
    /// </remarks>
    /// <param name="app">The app.</param>
    /// <returns><paramref name="app"/>, for chaining.</returns>
    public static IApplicationBuilder UseRedisAutoExpiryCache(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseOutputCache();
    }
}
