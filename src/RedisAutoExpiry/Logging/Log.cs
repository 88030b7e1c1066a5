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

    [LoggerMessage(EventId = 6, EventName = "KeyspaceNotificationsEnabled", Level = LogLevel.Information,
        Message = "Added the keyspace notification flags tag cleanup needs: notify-keyspace-events was \"{Previous}\", is now \"{Current}\".")]
    public static partial void KeyspaceNotificationsEnabled(ILogger logger, string previous, string current);

    [LoggerMessage(EventId = 7, EventName = "KeyspaceNotificationsMissing", Level = LogLevel.Warning,
        Message = "Redis's notify-keyspace-events is \"{Current}\", which lacks \"{Missing}\", and ConfigureKeyspaceNotifications is off. " +
            "Set notify-keyspace-events to \"{Suggested}\" in the server's configuration; until then tag sets lose expired entries only through the sweep.")]
    public static partial void KeyspaceNotificationsMissing(ILogger logger, string current, string missing, string suggested);

    [LoggerMessage(EventId = 8, EventName = "KeyspaceNotificationsUnknown", Level = LogLevel.Warning,
        Message = "Could not read or set notify-keyspace-events: {Reason}. Make sure the server's configuration has notify-keyspace-events " +
            "with the flags E, x and e (for example \"notify-keyspace-events Exe\"), or allow CONFIG (allowAdmin=true in the connection string). " +
            "Without them tag sets lose expired entries only through the sweep.")]
    public static partial void KeyspaceNotificationsUnknown(ILogger logger, string reason);

    [LoggerMessage(EventId = 9, EventName = "UnsafeEvictionPolicy", Level = LogLevel.Warning,
        Message = "Redis's maxmemory-policy is {Policy}: under memory pressure it may evict a tag set while the entries in it live on, and " +
            "EvictByTag then misses them until they expire. Use a volatile-* policy or noeviction (see docs/tags.md).")]
    public static partial void UnsafeEvictionPolicy(ILogger logger, string policy);

    [LoggerMessage(EventId = 10, EventName = "TagCleanupFailed", Level = LogLevel.Warning,
        Message = "Taking {Count} expired or evicted entries out of their tag sets failed; the sweep will do it.")]
    public static partial void TagCleanupFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 11, EventName = "TagSweepFinished", Level = LogLevel.Debug,
        Message = "Tag sweep visited {Tags} tags and removed {Removed} members whose entries were gone.")]
    public static partial void SweepFinished(ILogger logger, long tags, long removed);

    [LoggerMessage(EventId = 12, EventName = "TagSweepFailed", Level = LogLevel.Warning,
        Message = "The tag sweep failed; it runs again at the next interval.")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 13, EventName = "KeyspaceNotificationsDropped", Level = LogLevel.Warning,
        Message = "Keyspace notifications arrive faster than tag cleanup keeps up; some were dropped and the sweep will repair their tag sets.")]
    public static partial void NotificationsDropped(ILogger logger);

    [LoggerMessage(EventId = 14, EventName = "TagListenerFailed", Level = LogLevel.Warning,
        Message = "Subscribing to keyspace notifications or checking the server's settings failed; retried when the connection is restored.")]
    public static partial void ListenerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 15, EventName = "TagMaintenanceOff", Level = LogLevel.Warning,
        Message = "Tags.ListenForKeyspaceNotifications is off and Tags.SweepInterval is infinite: this process never takes expired entries " +
            "out of their tag sets. Tag sets and indexes have no TTL, so unless another process maintains them they only grow.")]
    public static partial void TagMaintenanceOff(ILogger logger);

    [LoggerMessage(EventId = 16, EventName = "OutputCacheTagUnresolved", Level = LogLevel.Debug,
        Message = "The response to {Path} is not cached: its tag template \"{Template}\" needs route value \"{RouteValue}\", which the request lacks, or the filled tag is invalid.")]
    public static partial void TagUnresolved(ILogger logger, string path, string template, string routeValue);

    [LoggerMessage(EventId = 17, EventName = "OutputCacheBeforeSecurity", Level = LogLevel.Warning,
        Message = "[CacheFor] on {Path} caches nothing: the app authenticates or authorizes this endpoint, but that middleware has not run when output caching does, " +
            "so a response could be cached before the user is known or served without authorization. Call UseRedisAutoExpiryCache() (or UseOutputCache()) after UseAuthentication() and UseAuthorization().")]
    public static partial void OutputCacheBeforeSecurity(ILogger logger, string path);

    [LoggerMessage(EventId = 18, EventName = "OutputCachePathTagUnusable", Level = LogLevel.Debug,
        Message = "The response to {Path} is not cached: its path tag would be longer than Tags.MaximumTagLength or not valid UTF-16, so it could not be evicted by URL.")]
    public static partial void PathTagUnusable(ILogger logger, string path);

    [LoggerMessage(EventId = 19, EventName = "EvictionEndpointUnsecured", Level = LogLevel.Warning,
        Message = "The cache eviction endpoint {Path} refuses every call: the app gave it no authorization. Name a policy with " +
            "app.MapCacheEviction().RequireAuthorization(\"<policy>\"), or call .AllowAnonymous() to let anyone evict.")]
    public static partial void EvictionEndpointUnsecured(ILogger logger, string path);

    [LoggerMessage(EventId = 20, EventName = "TagEvictedByRequest", Level = LogLevel.Information,
        Message = "Evicted {Count} entries tagged \"{Tag}\" at the request of {User}.")]
    public static partial void TagEvictedByRequest(ILogger logger, string tag, long count, string user);

    [LoggerMessage(EventId = 21, EventName = "EvictionFailed", Level = LogLevel.Error,
        Message = "An eviction requested over HTTP failed in Redis; the caller was answered 503.")]
    public static partial void EvictionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 22, EventName = "StampedeLeaseFailed", Level = LogLevel.Warning,
        Message = "The output cache's stampede lease for {Key} failed in Redis; requests for it render without waiting on other instances.")]
    public static partial void StampedeLeaseFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 23, EventName = "StampedeSubscribeFailed", Level = LogLevel.Warning,
        Message = "Subscribing to the output cache's lease channel failed; waiting requests poll every 100 ms until a later miss subscribes.")]
    public static partial void StampedeSubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 24, EventName = "RedisCircuitOpened", Level = LogLevel.Warning,
        Message = "Redis gave no answer to {Failures} {Calls} in a row: the circuit breaker for them is open. They fail at once (output " +
            "caching serves every request from the app) until Redis answers a probe; probing every {ProbeInterval}.")]
    public static partial void CircuitOpened(ILogger logger, string calls, int failures, TimeSpan probeInterval, Exception exception);

    [LoggerMessage(EventId = 25, EventName = "CacheCallFailedOpen",
        Message = "{Operation} of {Key} failed in Redis ({Reason}) and was {Outcome}.")]
    private static partial void FailedOpen(ILogger logger, LogLevel level, string operation, string key, string reason, string outcome);

    /// <summary>
    /// A read or write that failed open. A warning, except while the breaker is open (event 24 said so once, and a line
    /// per call would flood the log). The reason only, not the stack: event 24 carries the exception, and rendering a
    /// stack trace on the request's thread (the first one loads symbol files) would stall the request the outage hit.
    /// </summary>
    public static void FailedOpen(ILogger logger, string operation, string key, string outcome, Exception exception) =>
        FailedOpen(logger, exception is RedisUnavailableException ? LogLevel.Debug : LogLevel.Warning, operation, key,
            $"{exception.GetType().Name}: {exception.Message}", outcome);

    [LoggerMessage(EventId = 26, EventName = "RedisCircuitClosed", Level = LogLevel.Information,
        Message = "Redis answers again: the circuit breaker for {Calls} is closed after {Seconds:0.0} s open.")]
    public static partial void CircuitClosed(ILogger logger, string calls, double seconds);

    [LoggerMessage(EventId = 27, EventName = "RedisProbeFailed", Level = LogLevel.Debug,
        Message = "The circuit breaker's probe for {Calls} got no answer from Redis in time; it stays open.")]
    public static partial void ProbeFailed(ILogger logger, string calls, Exception exception);

    [LoggerMessage(EventId = 28, EventName = "EntryPayloadUnreadable", Level = LogLevel.Warning,
        Message = "The value at Redis key {Key} cannot be read: {Reason}. It is treated as a miss.")]
    public static partial void PayloadUnreadable(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 29, EventName = "TagCleanupQueueFull", Level = LogLevel.Warning,
        Message = "Tag cleanup's queue was full: {Count} evicted entries stay in their other tag sets until the sweep takes them out.")]
    public static partial void CleanupQueueFull(ILogger logger, int count);
}
