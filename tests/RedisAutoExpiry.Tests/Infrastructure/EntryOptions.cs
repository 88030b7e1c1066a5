using Microsoft.Extensions.Caching.Distributed;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>Entry options the tests share (imported statically by the test project).</summary>
public static class EntryOptions
{
    /// <summary>Expires a minute after it is written: long enough that no test sees it expire on its own.</summary>
    public static readonly DistributedCacheEntryOptions OneMinute = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) };
}
