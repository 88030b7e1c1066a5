namespace RedisAutoExpiry;

/// <summary>
/// How the cache behaves when Redis is down, slow or refusing: how long one call may wait, when calls stop being sent
/// at all (the circuit breaker), and whether <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>
/// reads and writes fail open. Reached through <see cref="RedisAutoExpiryCacheOptions.Resilience"/>; bound from the
/// <c>Resilience</c> section of the cache's configuration. Output caching always fails open, whatever these say.
/// </summary>
public sealed class RedisAutoExpiryResilienceOptions
{
    /// <summary>
    /// Longest a single Redis call may wait for its reply, sync or async; after it the call throws
    /// <see cref="TimeoutException"/> (and counts towards opening the breaker). A command already sent may still take
    /// effect later. The client's own <c>syncTimeout</c> is set to this too, replacing any in the connection string
    /// (unless the app supplies the multiplexer, whose own applies to sync calls). A cache's very first calls also wait
    /// for the connection attempt, bounded by twice the client's <c>connectTimeout</c> plus 1 s; an app started through
    /// DI has connected before it serves requests. Raise it for values of many megabytes on a slow network.
    /// Default: 1 s; between 1 ms and 5 minutes.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Longest an output cache lookup, store or stampede-lease step waits on Redis. A lookup that gives up is a miss: the
    /// app renders the response without another Redis call (no lease step, and no store while the last output cache
    /// call got no answer). So a stuck Redis delays a request by about this much, until the breaker for output cache
    /// calls opens. Far above a healthy round trip (well under a millisecond on a LAN), far below what users notice.
    /// Raise it for a distant Redis or responses of many megabytes. Default: 50 ms; between 1 ms and
    /// <see cref="OperationTimeout"/>.
    /// </summary>
    public TimeSpan OutputCacheTimeout { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How many calls in a row may get no answer (a connection failure or a timeout) before a circuit breaker opens.
    /// While open, calls throw <see cref="RedisUnavailableException"/> at once instead of waiting on Redis, and output
    /// caching serves every request from the app. There are two breakers: one for output cache calls, which their
    /// short <see cref="OutputCacheTimeout"/> opens, and one for all calls, which only a connection failure or a
    /// timeout of <see cref="OperationTimeout"/> opens; so a stall that outlasts 50 ms but not 1 s stops output
    /// caching from waiting without refusing the app's own calls. An error reply (OOM, READONLY, LOADING) is an answer:
    /// it fails its own call but opens no breaker, since Redis may serve other commands. Zero turns both off. Default: 5.
    /// </summary>
    public int BreakAfterFailures { get; set; } = 5;

    /// <summary>
    /// How long an open breaker waits between PINGs to Redis (each bounded by the timeout of the calls it guards); the
    /// first answer in time closes it. A restored connection probes at once. Default: 1 s; between 10 ms and 1 minute.
    /// </summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Turns Redis failures of <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/> reads and writes
    /// into misses: Get, TryGet and GetWithTimeToLive return nothing, and Set and Refresh are dropped, each with a
    /// warning in the log (event 25). Remove and EvictByTag always throw on failure: a removal that did not happen must
    /// not look done. Default: <see langword="false"/>, Microsoft's RedisCache contract (every Redis error is thrown).
    /// </summary>
    public bool FailOpen { get; set; }
}
