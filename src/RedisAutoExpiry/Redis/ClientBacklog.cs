using StackExchange.Redis;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// Makes a multiplexer the cache creates fail a command at once while it has no connection.
/// </summary>
/// <remarks>
/// StackExchange.Redis queues such a command by default (<see cref="BacklogPolicy.Default"/>) until the connection is
/// back or the call's timeout passes, so every call during an outage would wait out <c>OperationTimeout</c> rather
/// than fail: the circuit breaker's fast path would become a slow one and fail-open reads would stall. A policy the app
/// chose itself in <c>ConfigurationOptions</c> (anything but the client's default) is left as it is.
/// </remarks>
internal static class ClientBacklog
{
    public static void FailFastUnlessChosen(ConfigurationOptions configuration)
    {
        if (ReferenceEquals(configuration.BacklogPolicy, BacklogPolicy.Default))
        {
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
        }
    }
}
