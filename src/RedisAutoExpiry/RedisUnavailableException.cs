namespace RedisAutoExpiry;

/// <summary>
/// Thrown, without contacting Redis, while the cache's circuit breaker is open: several calls in a row got no answer
/// (see <see cref="RedisAutoExpiryResilienceOptions.BreakAfterFailures"/>). The breaker closes by itself once Redis
/// answers its probe. <see cref="Exception.InnerException"/> is the failure that opened it.
/// </summary>
public sealed class RedisUnavailableException : Exception
{
    /// <summary>Creates the exception with a message and the failure that opened the breaker.</summary>
    public RedisUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
