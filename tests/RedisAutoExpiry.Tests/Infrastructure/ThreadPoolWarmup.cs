using System.Runtime.CompilerServices;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>
/// The suite runs up to eight tests at once, several making sync cache calls. StackExchange.Redis 1.2.6 completes
/// even a sync call's read on a thread-pool thread, so blocked callers starve the pool on a 2-core machine and
/// timing tests see pauses of a second while it grows (see docs/distributed-cache.md, Limitations). Starting the
/// pool larger keeps the tests about the cache, not about thread injection.
/// </summary>
internal static class ThreadPoolWarmup
{
    [ModuleInitializer]
    internal static void Initialize() => ThreadPool.SetMinThreads(64, 64);
}
