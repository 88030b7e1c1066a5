using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using RedisAutoExpiry.OutputCaching;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.OutputCaching;

/// <summary>The lease's deadline binds waiters in the holder's own process too, and a stale lease is never waited on twice.</summary>
public sealed class StampedeLeaseDeadlineTests : RedisTestBase
{
    private const string Key = "#rae:out:GET\u001eHTTP\u001eLOCALHOST/SLOW";

    [Fact]
    public async Task LocalWaiters_OfAHolderThatNeverFinishes_RenderAtTheDeadline_AndTheNextMissStartsAfresh()
    {
        var cache = await CreateConnectedCacheAsync(o =>
        {
            o.OutputCacheLease = TimeSpan.FromMilliseconds(1_500);
            o.Resilience.OutputCacheTimeout = TestOperationTimeout; // the loaded suite can exceed 50 ms: a failed step renders at once
        });
        var accessor = new HttpContextAccessor();
        var stampede = new StampedeProtection(cache, accessor, CacheLog);

        // The holder renders, and its request never completes.
        accessor.HttpContext = CacheableRequest();
        var sinceLease = Stopwatch.StartNew();
        Assert.Null(await stampede.AfterMissAsync(Key));
        Assert.True(await Inspector.KeyExistsAsync(Prefix() + "#rae:lease:" + Key));

        // Another request here waits for it until the lease's deadline (1.5 s after it was taken), then renders.
        accessor.HttpContext = CacheableRequest();
        Assert.Null(await stampede.AfterMissAsync(Key));
        Assert.InRange(sinceLease.ElapsedMilliseconds, 1_400, 6_000);

        // The next miss takes a lease of its own (the first one has expired in Redis too) rather than wait again.
        await EventuallyAsync(async () => !await Inspector.KeyExistsAsync(Prefix() + "#rae:lease:" + Key), TimeSpan.FromSeconds(3),
            "the first lease expires in Redis");
        accessor.HttpContext = CacheableRequest();
        var clock = Stopwatch.StartNew();
        Assert.Null(await stampede.AfterMissAsync(Key));
        Assert.True(clock.ElapsedMilliseconds < 1_000, $"the third miss waited {clock.ElapsedMilliseconds} ms, as if on the stale lease");
        Assert.True(await Inspector.KeyExistsAsync(Prefix() + "#rae:lease:" + Key));
    }

    [Fact]
    public async Task RequestThatAcceptsOnlyACachedResponse_TakesNoLease()
    {
        var cache = await CreateConnectedCacheAsync();
        var accessor = new HttpContextAccessor { HttpContext = CacheableRequest() };
        accessor.HttpContext.Request.Headers.CacheControl = "only-if-cached";
        var stampede = new StampedeProtection(cache, accessor, CacheLog);

        Assert.Null(await stampede.AfterMissAsync(Key));

        Assert.False(await Inspector.KeyExistsAsync(Prefix() + "#rae:lease:" + Key));
    }

    private static DefaultHttpContext CacheableRequest() => CacheableRequests.Create();
}
