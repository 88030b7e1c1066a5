namespace RedisAutoExpiry.Redis;

/// <summary>Who a Redis call is made for, which decides its time bound and whether the circuit breaker applies.</summary>
internal enum CallKind
{
    /// <summary>An app's call of the cache API: bounded by OperationTimeout, refused while the breaker is open.</summary>
    Caller,

    /// <summary>
    /// An output cache lookup, store or lease step: bounded by the shorter OutputCacheTimeout, since a request that
    /// gives up on Redis only renders, and refused while the breaker is open.
    /// </summary>
    OutputCache,

    /// <summary>Tag maintenance and the breaker's probe: bounded by OperationTimeout, never refused nor counted.</summary>
    Background,
}
