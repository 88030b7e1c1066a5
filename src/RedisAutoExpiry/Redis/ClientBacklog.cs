using System.Reflection;
using StackExchange.Redis;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// Makes a multiplexer the cache creates fail a command at once while it has no connection, on every client version
/// the package accepts.
/// </summary>
/// <remarks>
/// StackExchange.Redis 1.2.6 fails such a command at once ("No connection is available"). 2.x instead queues it by
/// default (<c>BacklogPolicy.Default</c>) until the connection is back or the call's timeout passes, so an app that
/// unifies on 2.x would see every call during an outage wait out <c>OperationTimeout</c> rather than fail, which turns
/// the circuit breaker's fast path into a slow one and fail-open reads into stalls. The package is built against
/// 1.2.6, which lacks the setting, so it is set by reflection, once per multiplexer the cache creates. A policy the
/// app chose itself (anything but the client's default) is left as it is.
/// </remarks>
internal static class ClientBacklog
{
    private static readonly PropertyInfo? Policy = typeof(ConfigurationOptions).GetProperty("BacklogPolicy");
    private static readonly object? DefaultPolicy = Policy?.PropertyType.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
    private static readonly object? FailFastPolicy = Policy?.PropertyType.GetProperty("FailFast", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);

    public static void FailFastUnlessChosen(ConfigurationOptions configuration)
    {
        if (Policy is null || FailFastPolicy is null || !ReferenceEquals(Policy.GetValue(configuration), DefaultPolicy))
        {
            return;
        }

        Policy.SetValue(configuration, FailFastPolicy);
    }
}
