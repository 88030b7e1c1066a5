using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RedisAutoExpiry.Redis;
using RedisAutoExpiry.Tagging;

namespace RedisAutoExpiry.Diagnostics;

/// <summary>
/// Healthy when Redis answers a PING and nothing is amiss; degraded while a circuit breaker is open or keyspace
/// notifications are unavailable (the listener is not subscribed, or the server lacks the flags and may not be
/// configured), since the cache then still works but fails open or leaves tag cleanup to the sweep; the registration's
/// failure status (unhealthy by default) when Redis does not answer within OperationTimeout.
/// </summary>
/// <remarks>
/// Descriptions and data name no connection string, host or password: health output is often public.
/// </remarks>
internal sealed class RedisAutoExpiryHealthCheck(RedisAutoExpiryCache cache) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var store = cache.Store;
        TimeSpan latency;
        try
        {
            latency = await store.PingForHealthAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisFailure.Is(exception))
        {
            // The exception is left out: a client's connection errors can carry its configuration.
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"Redis did not answer a PING ({RedisFailure.TypeOf(exception)}).",
                data: new Dictionary<string, object> { ["error.type"] = RedisFailure.TypeOf(exception) });
        }

        var notifications = NotificationsOf(cache.Maintenance);
        var data = new Dictionary<string, object>
        {
            ["ping_ms"] = Math.Round(latency.TotalMilliseconds, 3),
            ["circuit.cache_calls"] = store.CacheCallsRefused ? "open" : "closed",
            ["circuit.output_cache_calls"] = store.OutputCacheRefused ? "open" : "closed",
            ["keyspace_notifications"] = notifications,
        };
        var problems = new List<string>();
        if (store.CacheCallsRefused)
        {
            problems.Add("the circuit breaker for cache calls is open");
        }
        else if (store.OutputCacheRefused)
        {
            problems.Add("the circuit breaker for output cache calls is open");
        }

        if (notifications is "not subscribed" or "missing")
        {
            problems.Add($"keyspace notifications are {notifications}: tag sets are cleaned by the sweep only");
        }

        var answered = string.Create(CultureInfo.InvariantCulture, $"Redis answered a PING in {latency.TotalMilliseconds:0.###} ms");
        return problems.Count == 0
            ? HealthCheckResult.Healthy(answered + ".", data)
            : HealthCheckResult.Degraded($"{answered}, but {string.Join("; ", problems)}.", data: data);
    }

    private static string NotificationsOf(TagMaintenance maintenance) => maintenance switch
    {
        { Listens: false } => "off",
        { NotificationStatus: KeyspaceNotificationStatus.Missing } => "missing",
        { IsSubscribed: false } => "not subscribed",
        { NotificationStatus: KeyspaceNotificationStatus.Refused } => "subscribed (server settings unknown: CONFIG refused)",
        _ => "subscribed",
    };
}
