using Microsoft.Extensions.Logging;

namespace RedisAutoExpiry.Logging;

/// <summary>Source-generated log messages. Event ids are stable: dashboards and alerts may key on them.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "RedisConnected", Level = LogLevel.Information,
        Message = "Connected to Redis at {Endpoints}.")]
    public static partial void Connected(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 2, EventName = "RedisNotConnected", Level = LogLevel.Warning,
        Message = "Redis at {Endpoints} is not reachable yet; cache calls fail until it is. The connection keeps retrying.")]
    public static partial void NotConnected(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 3, EventName = "InvalidEntry", Level = LogLevel.Warning,
        Message = "The value at Redis key {Key} is not a RedisAutoExpiry entry of a known format version; it is treated as a miss.")]
    public static partial void InvalidEntry(ILogger logger, string key);

    [LoggerMessage(EventId = 4, EventName = "SlidingRefreshFailed", Level = LogLevel.Warning,
        Message = "Extending the sliding expiry of Redis key {Key} failed; it expires at its previous TTL.")]
    public static partial void RefreshFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 5, EventName = "RedisConnectFailed", Level = LogLevel.Error,
        Message = "Connecting to Redis failed; the next cache call tries again.")]
    public static partial void ConnectFailed(ILogger logger, Exception exception);
}
