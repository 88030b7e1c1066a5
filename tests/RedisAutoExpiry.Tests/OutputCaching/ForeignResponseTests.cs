using Microsoft.AspNetCore.Http;
using RedisAutoExpiry.OutputCaching;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.OutputCaching;

/// <summary>
/// Another program's value where a response belongs is a miss with one log line, with the stampede lease in play
/// too: no lease is taken or waited on for it, and no error is raised.
/// </summary>
public sealed class ForeignResponseTests : RedisTestBase
{
    [Fact]
    public async Task AForeignStringOrHash_AtAResponsesKey_IsOneMissAndOneLogLine_WithoutALease()
    {
        var cache = CreateCache(o => o.Resilience.OutputCacheTimeout = TestOperationTimeout);
        using var meter = new MeterRecorder(cache.Store.Metrics.Meter);
        var accessor = new HttpContextAccessor { HttpContext = CacheableRequests.Create() };
        var store = new RedisAutoExpiryOutputCacheStore(cache, new StampedeProtection(cache, accessor, CacheLog));
        await Inspector.StringSetAsync(Prefix() + "#rae:out:string-page", "written by another program");
        await Inspector.HashSetAsync(Prefix() + "#rae:out:hash-page", "field", "value");

        Assert.Null(await store.GetAsync("string-page", default));
        Assert.Single(CacheLog.MessagesOf(3));
        Assert.Null(await store.GetAsync("hash-page", default));
        Assert.Equal(2, CacheLog.MessagesOf(3).Count);

        Assert.Empty(CacheLog.MessagesOf(22)); // StampedeLeaseFailed
        Assert.False(await Inspector.KeyExistsAsync(Prefix() + "#rae:lease:#rae:out:string-page"));
        Assert.False(await Inspector.KeyExistsAsync(Prefix() + "#rae:lease:#rae:out:hash-page"));
        Assert.Equal(0, meter.Sum("redisautoexpiry.cache.errors"));
        Assert.Equal(2, meter.Sum("redisautoexpiry.cache.misses", ("redisautoexpiry.cache", "output")));

        // Rendering overwrites them: the next lookups are hits.
        await store.SetAsync("string-page", [1], null, TimeSpan.FromMinutes(1), default);
        await store.SetAsync("hash-page", [2], null, TimeSpan.FromMinutes(1), default);
        Assert.Equal([1], await store.GetAsync("string-page", default));
        Assert.Equal([2], await store.GetAsync("hash-page", default));
    }
}
