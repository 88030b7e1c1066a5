using Microsoft.AspNetCore.Http;
using RedisAutoExpiry.OutputCaching;
using RedisAutoExpiry.Testing;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.OutputCaching;

/// <summary>
/// A lease step whose reply comes after the output cache's bound still takes the lease in Redis; the instance that
/// gave up on it releases it, so requests elsewhere do not wait on a lease nobody will end.
/// </summary>
public sealed class StampedeLeaseReleaseTests : RedisTestBase
{
    [Fact]
    public async Task ALeaseStepThatGotNoAnswerInTime_IsReleasedAfterwards_RatherThanHeldUntilItExpires()
    {
        // 60 ms each way: every reply comes after the 50 ms bound, while the commands still run, in order.
        await using var proxy = new DelayProxy(Server.Port, TimeSpan.FromMilliseconds(60));
        var cache = CreateCache(o =>
        {
            o.Configuration = $"{proxy.Endpoint},connectTimeout=5000";
            o.OutputCacheLease = TimeSpan.FromSeconds(30);
            o.Resilience.OutputCacheTimeout = TimeSpan.FromMilliseconds(50);
            o.Resilience.OperationTimeout = TimeSpan.FromSeconds(5);
        });
        await cache.GetAsync("connected");

        // Both scripts already known to Redis, as on a server in use: their EVALSHA runs at once rather than answering
        // NOSCRIPT after the bound, which would leave the EVAL fallback unsent.
        await Inspector.ExecuteAsync("SCRIPT", "LOAD", RedisAutoExpiry.Redis.LeaseScripts.LookupOrTake);
        await Inspector.ExecuteAsync("SCRIPT", "LOAD", RedisAutoExpiry.Redis.LeaseScripts.Release);
        var stampede = new StampedeProtection(cache, new HttpContextAccessor { HttpContext = CacheableRequests.Create() }, CacheLog);

        Assert.Null(await stampede.AfterMissAsync("#rae:out:page")); // the step timed out: this request renders
        Assert.NotEmpty(CacheLog.MessagesOf(22)); // StampedeLeaseFailed

        // A reply to a PING sent now comes after the step and whatever followed it on the connection.
        await cache.Store.PingForHealthAsync(CancellationToken.None);
        Assert.False(await Inspector.KeyExistsAsync(Prefix() + "#rae:lease:#rae:out:page"), "the lease is still held");
    }
}
