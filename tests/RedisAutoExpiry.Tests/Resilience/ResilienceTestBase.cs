using System.Runtime.CompilerServices;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Resilience;

/// <summary>Caches on a server of the test's own, which the test pauses, kills or restarts.</summary>
public abstract class ResilienceTestBase : RedisTestBase
{
    /// <summary>
    /// A connected cache on <paramref name="redis"/> with short bounds: <paramref name="timeoutMs"/> per call, the
    /// breaker opening after <paramref name="breakAfter"/> calls without an answer (0: never) and probing every
    /// <paramref name="probeMs"/> (100 ms).
    /// </summary>
    protected async Task<RedisAutoExpiryCache> ConnectedCacheAsync(DedicatedRedis redis, int timeoutMs = 200, int breakAfter = 0,
        bool failOpen = false, int probeMs = 100, CapturingLogger? logger = null, [CallerMemberName] string test = "")
    {
        var cache = CreateCacheOn(redis.Server, o =>
        {
            o.Resilience.OperationTimeout = TimeSpan.FromMilliseconds(timeoutMs);
            o.Resilience.BreakAfterFailures = breakAfter;
            o.Resilience.OutputCacheTimeout = TimeSpan.FromMilliseconds(Math.Min(50, timeoutMs));
            o.Resilience.ProbeInterval = TimeSpan.FromMilliseconds(probeMs);
            o.Resilience.FailOpen = failOpen;
        }, logger ?? CacheLog, test: test);
        await cache.SetAsync("entry", [1], OneMinute);
        return cache;
    }

    /// <summary>
    /// Pauses every client of <paramref name="redis"/> (CLIENT PAUSE ALL) for <paramref name="milliseconds"/>. A paused
    /// server cannot be unpaused by a client (the UNPAUSE would wait too): tests wait the pause out.
    /// </summary>
    protected static Task PauseAsync(DedicatedRedis redis, int milliseconds) =>
        redis.Inspector.ExecuteAsync("CLIENT", "PAUSE", milliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "ALL");

    /// <summary>True when a Get completes (hit or miss); false when it fails in Redis or is refused by the breaker.</summary>
    protected static async Task<bool> AnswersAsync(RedisAutoExpiryCache cache)
    {
        try
        {
            await cache.GetAsync("entry");
            return true;
        }
        catch (Exception exception) when (exception is StackExchange.Redis.RedisException or TimeoutException or RedisUnavailableException)
        {
            return false;
        }
    }
}
