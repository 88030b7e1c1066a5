using StackExchange.Redis;

namespace RedisAutoExpiry.Redis;

/// <summary>Tells Redis failures (unreachable, timed out, refused by the server) from bugs, without callers naming client types.</summary>
internal static class RedisFailure
{
    /// <summary>
    /// True for an exception that says Redis did not do what was asked: the client's own exceptions (connection,
    /// server errors such as READONLY or OOM), timeouts (the client's and the cache's), and the open breaker's refusal.
    /// </summary>
    public static bool Is(Exception exception) => exception is RedisException or TimeoutException or RedisUnavailableException;

    /// <summary>
    /// True when Redis gave no answer at all (no connection, or none in time), as opposed to an error reply: only
    /// these open the circuit breaker.
    /// </summary>
    public static bool IsNoAnswer(Exception exception) => exception is RedisConnectionException or TimeoutException;

    /// <summary>The failure's <c>error.type</c> in metrics and traces.</summary>
    public static string TypeOf(Exception exception) => exception switch
    {
        TimeoutException => "timeout",
        RedisUnavailableException => "circuit_open",
        RedisConnectionException => "connection",
        RedisServerException => "server_error",
        _ => exception.GetType().FullName ?? "other",
    };
}
