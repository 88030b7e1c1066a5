using RedisAutoExpiry.Tagging;
using StackExchange.Redis;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// Reads, and where allowed amends, the server settings tags depend on. Uses the client's server API, so it honours
/// StackExchange.Redis's admin switch: without <c>allowAdmin=true</c>, CONFIG is refused here as on a managed server.
/// </summary>
internal static class ServerSettings
{
    private const string NotifySetting = "notify-keyspace-events";

    /// <summary>
    /// Makes sure every primary publishes expired and evicted keyevents; adds the missing flags to the ones set
    /// (never replacing them) when <paramref name="configure"/> is on.
    /// </summary>
    /// <returns>Null when no primary is connected, so nothing could be checked.</returns>
    public static async Task<KeyspaceNotificationCheck?> EnsureKeyspaceNotificationsAsync(IConnectionMultiplexer multiplexer, bool configure)
    {
        KeyspaceNotificationCheck? result = null;
        foreach (var server in Primaries(multiplexer))
        {
            try
            {
                var current = (await server.ConfigGetAsync(NotifySetting).ConfigureAwait(false))
                    .FirstOrDefault(pair => pair.Key == NotifySetting).Value ?? string.Empty;
                var missing = KeyspaceEventFlags.Missing(current);
                if (missing.Length == 0)
                {
                    result = KeyspaceNotificationCheck.AlreadyOn(current);
                    continue;
                }

                if (!configure)
                {
                    return KeyspaceNotificationCheck.Missing(current, missing);
                }

                await server.ConfigSetAsync(NotifySetting, current + missing).ConfigureAwait(false);
                result = KeyspaceNotificationCheck.Enabled(current, current + missing);
            }
            catch (Exception exception) when (exception is RedisCommandException or RedisServerException)
            {
                return KeyspaceNotificationCheck.Refused(exception.Message);
            }
        }

        return result;
    }

    /// <summary>The first primary's <c>maxmemory-policy</c>, or null where CONFIG is refused.</summary>
    public static async Task<string?> ReadEvictionPolicyAsync(IConnectionMultiplexer multiplexer)
    {
        foreach (var server in Primaries(multiplexer))
        {
            try
            {
                return (await server.ConfigGetAsync("maxmemory-policy").ConfigureAwait(false))
                    .FirstOrDefault(pair => pair.Key == "maxmemory-policy").Value;
            }
            catch (Exception exception) when (exception is RedisCommandException or RedisServerException)
            {
                return null;
            }
        }

        return null;
    }

    private static IEnumerable<IServer> Primaries(IConnectionMultiplexer multiplexer)
    {
#pragma warning disable CS0618 // IsSlave is IsReplica in 2.x, where the old name remains as an alias.
        return multiplexer.GetEndPoints()
            .Select(endpoint => multiplexer.GetServer(endpoint))
            .Where(server => server.IsConnected && !server.IsSlave);
#pragma warning restore CS0618
    }
}
