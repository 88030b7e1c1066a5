using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using RedisAutoExpiry.OutputCaching;
using RedisAutoExpiry.Testing;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Safety;

/// <summary>
/// The library on a server whose <c>default</c> user may touch only the <c>app:</c> keys, the notification and lease
/// channels, and the commands docs/security.md lists (servers/acl-restricted.conf).
/// </summary>
public sealed class RedisAclTests : RedisTestBase
{
    [Fact]
    public async Task EveryFeature_Works_ForADefaultUserRestrictedToThePrefixChannelsAndCommands()
    {
        await using var server = await RedisServer.StartAsync("acl-restricted.conf");
        await using var admin = await RespClient.ConnectAsync(server.Port, "admin", "admin-pw");
        var log = new CapturingLogger();
        await using var cache = new RedisAutoExpiryCache(new RedisAutoExpiryCacheOptions
        {
            Configuration = $"{server.Endpoint},connectTimeout=5000,tiebreaker=,configChannel=", // see docs/security.md
            InstanceName = "app:",
            // The output cache's 50 ms bound can pass on the loaded suite: the lease step would then be a silent miss.
            Resilience = { OperationTimeout = TestOperationTimeout, OutputCacheTimeout = TestOperationTimeout },
            Tags = { SweepInterval = Timeout.InfiniteTimeSpan },
        }, log);

        // Entries: absolute, sliding, tagged; read, refreshed, removed, evicted by tag.
        await cache.SetAsync("plain", [1], OneMinute);
        await cache.SetAsync("sliding", [2], new() { SlidingExpiration = TimeSpan.FromMinutes(1) });
        await cache.SetAsync("tagged", [3], OneMinute, ["t"]);
        Assert.Equal([1], await cache.GetAsync("plain"));
        Assert.Equal([2], cache.Get("sliding"));
        await cache.RefreshAsync("sliding");
        Assert.NotNull((await cache.GetWithTimeToLiveAsync("sliding"))?.TimeToLive);
        await cache.RemoveAsync("plain");
        Assert.Null(await cache.GetAsync("plain"));
        Assert.Equal(1, await cache.EvictByTagAsync("t"));
        Assert.Null(await cache.GetAsync("tagged"));

        // Keyspace notifications take an expired entry out of its tag set; the sweep runs.
        await EventuallyAsync(async () => await admin.SendAsync("PUBSUB", "NUMSUB", "__keyevent@0__:expired") is object?[] { Length: 2 } r && (long)r[1]! == 1,
            TimeSpan.FromSeconds(10), "the listener subscribes");
        await cache.SetAsync("short", [4], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(100) }, ["expiring"]);
        await EventuallyAsync(async () => await admin.SendAsync("EXISTS", "app:#rae:tag:expiring") is 0L, TimeSpan.FromSeconds(5),
            "the expired entry leaves its tag set");
        Assert.NotNull(await cache.Maintenance.TrySweepAsync(force: true));

        // The output cache with its stampede lease (lease scripts, the lease channel).
        var accessor = new HttpContextAccessor { HttpContext = CacheableRequests.Create() }; // a request that takes the lease
        var store = new RedisAutoExpiryOutputCacheStore(cache, new StampedeProtection(cache, accessor, NullLogger<StampedeProtection>.Instance));
        Assert.Null(await store.GetAsync("/page", default));
        Assert.Equal("1", (await admin.SendAsync("EXISTS", "app:#rae:lease:#rae:out:/page"))?.ToString()); // the lease, under the rule
        await store.SetAsync("/page", [5], ["page"], TimeSpan.FromMinutes(1), default);
        Assert.Equal([5], await store.GetAsync("/page", default));
        await store.EvictByTagAsync("page", default);
        Assert.Null(await store.GetAsync("/page", default));

        // Only CONFIG GET was refused (the client's handshake and the notification check ask), which the cache
        // tolerates with one warning that it cannot see the server's settings.
        var denied = ((object?[])(await admin.SendAsync("ACL", "LOG"))!).Cast<object?[]>().Select(Field("object")).Distinct();
        Assert.Equal(["config|get"], denied);
        Assert.Equal([8], log.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Id.Id));
    }

    [Fact]
    public async Task OutsideItsPrefix_TheRestrictedUserIsRefused_SoTheRuleIsInForce()
    {
        await using var server = await RedisServer.StartAsync("acl-restricted.conf");
        await using var user = await RespClient.ConnectAsync(server.Port);

        Assert.IsType<RespError>(await user.SendAsync("SET", "other-app:key", "x"));
        Assert.IsType<RespError>(await user.SendAsync("FLUSHALL"));
        Assert.Equal("OK", await user.SendAsync("SET", "app:key", "x"));
    }

    private static Func<object?[], string?> Field(string name) => entry =>
    {
        var index = Array.IndexOf(entry, name);
        return index < 0 ? null : entry[index + 1]?.ToString();
    };
}
