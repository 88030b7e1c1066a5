namespace RedisAutoExpiry;

/// <summary>A cached value and how long Redis will keep it.</summary>
/// <param name="Value">The value as it was set.</param>
/// <param name="TimeToLive">The remaining time to live, read from Redis in the same step as the value (millisecond
/// precision); <see langword="null"/> for an entry stored without expiry.</param>
public readonly record struct CacheValueWithTimeToLive(byte[] Value, TimeSpan? TimeToLive);
