using System.Runtime.CompilerServices;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>
/// The suite runs up to eight tests at once, several making sync cache calls, and many blocking waits on a 2-core
/// machine hold thread-pool threads: timing tests would see pauses of a second while the pool grows
/// (StackExchange.Redis 1.2.6 even completed sync reads on the pool; see docs/distributed-cache.md, Limitations).
/// Starting the pool larger keeps the tests about the cache, not about thread injection.
/// </summary>
internal static class ThreadPoolWarmup
{
    [ModuleInitializer]
    internal static void Initialize() => ThreadPool.SetMinThreads(64, 64);
}
