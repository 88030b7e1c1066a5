using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisAutoExpiry;
using RedisAutoExpiry.Diagnostics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the cache's health check to <c>AddHealthChecks()</c>.</summary>
public static class RedisAutoExpiryHealthChecksBuilderExtensions
{
    /// <summary>The check's default name: <c>redis-auto-expiry</c>.</summary>
    public const string DefaultName = "redis-auto-expiry";

    /// <summary>
    /// Checks the cache registered by <c>AddRedisAutoExpiryCache</c>: healthy when Redis answers a PING; degraded while a
    /// circuit breaker is open or keyspace notifications are unavailable; <paramref name="failureStatus"/> (default
    /// unhealthy) when Redis does not answer within <see cref="RedisAutoExpiryResilienceOptions.OperationTimeout"/>. Its
    /// output names no host, connection string or password.
    /// </summary>
    /// <param name="builder">The app's health checks.</param>
    /// <param name="name">The check's name; default <see cref="DefaultName"/>.</param>
    /// <param name="failureStatus">Reported when Redis does not answer; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by, e.g. <c>["ready"]</c>.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IHealthChecksBuilder AddRedisAutoExpiryCache(this IHealthChecksBuilder builder, string name = DefaultName,
        HealthStatus failureStatus = HealthStatus.Unhealthy, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(name,
            static provider => new RedisAutoExpiryHealthCheck(provider.GetRequiredService<RedisAutoExpiryCache>()), failureStatus, tags));
    }
}
