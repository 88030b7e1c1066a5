using StackExchange.Redis;

namespace RedisAutoExpiry.Redis;

/// <summary>Tells Redis failures (unreachable, timed out, refused by the server) from bugs, without callers naming client types.</summary>
internal static class RedisFailure
{
    /// <summary>
    /// True for an exception that says Redis did not do what was asked: the client's own exceptions (connection,
    /// server errors such as READONLY or OOM) and timeouts (the client's and the cache's connect wait).
    /// </summary>
    public static bool Is(Exception exception) => exception is RedisException or TimeoutException;
}
