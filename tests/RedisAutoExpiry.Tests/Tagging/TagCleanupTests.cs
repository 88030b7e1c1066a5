using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Testing;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Tagging;

/// <summary>
/// Entries Redis expires leave their tag sets: promptly through keyspace notifications, and through the repair sweep
/// when notifications are off or were missed. Each test runs its own server, since it changes server settings.
/// </summary>
public sealed class TagCleanupTests : RedisTestBase
{
    private static readonly DistributedCacheEntryOptions Brief = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(200) };

    [Fact]
    public async Task AnEntryWith200msTtl_LeavesItsTagSets_Within2sOfExpiring_ThroughNotifications()
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf");
        var logger = new CapturingLogger();
        await using var cache = CreateCacheOn(redis.Server, o => o.Tags.SweepInterval = Timeout.InfiniteTimeSpan, logger);
        await ConnectAndListenAsync(cache, redis);

        await cache.SetAsync("brief", [1], Brief, ["a", "b"]);
        await cache.SetAsync("stays", [1], OneMinute, ["a"]);
        var expiresAt = DateTime.UtcNow.AddMilliseconds(200);

        await EventuallyAsync(async () => (await Members(redis, "a")).SequenceEqual(["stays"]) && (await Members(redis, "b")).Length == 0,
            TimeSpan.FromMilliseconds(2200), "the expired entry leaves both tag sets");
        Assert.True(DateTime.UtcNow - expiresAt < TimeSpan.FromSeconds(2));
        Assert.False(await redis.Inspector.KeyExistsAsync(Prefix() + "#rae:entry-tags:brief"));
        Assert.Single(logger.MessagesOf(6)); // it switched notifications on, and said so
    }

    [Fact]
    public async Task FlagsAlreadySet_AreKept_WhenTheMissingOnesAreAdded()
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf", "--notify-keyspace-events", "Kl");
        await using var cache = CreateCacheOn(redis.Server);

        await ConnectAndListenAsync(cache, redis);

        var flags = await redis.ConfigGetAsync("notify-keyspace-events");
        Assert.All("KlExe", flag => Assert.Contains(flag, flags));
    }

    [Fact]
    public async Task WithNotificationsOff_AndConfiguringThemOff_TheSweepRemovesStaleMembers_WithinOneInterval()
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf");
        var logger = new CapturingLogger();
        var interval = TimeSpan.FromSeconds(1);
        await using var cache = CreateCacheOn(redis.Server, o => { o.Tags.ConfigureKeyspaceNotifications = false; o.Tags.SweepInterval = interval; }, logger);
        await cache.ConnectAsync(CancellationToken.None);

        await cache.SetAsync("stays", [1], OneMinute, ["t"]);
        for (var i = 0; i < 50; i++)
        {
            await cache.SetAsync($"brief:{i}", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(100) }, ["t", $"own:{i}"]);
        }

        await EventuallyAsync(async () => await redis.Inspector.KeyExistsAsync(Prefix() + "brief:49") == false,
            TimeSpan.FromSeconds(3), "the brief entries expire");
        await EventuallyAsync(async () => (await Members(redis, "t")).SequenceEqual(["stays"]) && (await Members(redis, "own:3")).Length == 0,
            interval + TimeSpan.FromSeconds(1), "the sweep removes the expired entries from their tag sets");

        Assert.Equal(string.Empty, await redis.ConfigGetAsync("notify-keyspace-events")); // not reconfigured
        var warning = Assert.Single(logger.MessagesOf(7));
        Assert.Contains("Exe", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAdminMode_ConfigIsRefused_AndOneWarningNamesTheServerSetting()
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf");
        var logger = new CapturingLogger();
        await using var cache = CreateCacheOn(redis.Server, logger: logger, connectionOptions: "allowAdmin=false");

        await cache.ConnectAsync(CancellationToken.None);

        await EventuallyAsync(() => Task.FromResult(logger.MessagesOf(8).Count > 0), TimeSpan.FromSeconds(5), "a warning is logged");
        var warning = Assert.Single(logger.MessagesOf(8));
        Assert.Contains("notify-keyspace-events Exe", warning, StringComparison.Ordinal);
        Assert.Contains("allowAdmin", warning, StringComparison.Ordinal);
        Assert.Equal(string.Empty, await redis.ConfigGetAsync("notify-keyspace-events"));
    }

    /// <summary>
    /// The listener's connection is killed and kept from reconnecting for a while (a proxy refuses it). Entries that
    /// expire meanwhile send their notifications to nobody; the sweep run on reconnect removes them. Entries that
    /// expire afterwards are removed by notifications again. The periodic sweep is off, so only those two can do it.
    /// </summary>
    [Fact]
    public async Task AfterTheListenersConnectionIsKilled_ExpiriesDuringAndAfterTheOutage_AreCleanedUp()
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf");
        await using var proxy = new DelayProxy(redis.Server.Port, TimeSpan.Zero);
        await using var cache = (new RedisAutoExpiryCache(new RedisAutoExpiryCacheOptions
        {
            Configuration = $"{proxy.Endpoint},allowAdmin=true,connectTimeout=2000",
            InstanceName = Prefix(),
            Tags = { SweepInterval = Timeout.InfiniteTimeSpan },
        }));
        await ConnectAndListenAsync(cache, redis);

        proxy.RefuseNewConnections = true;
        await redis.Inspector.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        await redis.Inspector.ExecuteAsync("CONFIG", "SET", "notify-keyspace-events", ""); // as after a restart
        for (var i = 0; i < 20; i++)
        {
            await cache.SetAsync($"during:{i}", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(50) }, ["t"]);
        }

        await EventuallyAsync(async () => !await redis.Inspector.KeyExistsAsync(Prefix() + "during:19"), TimeSpan.FromSeconds(3), "expiries during the outage");
        Assert.Equal(20, (await Members(redis, "t")).Length); // nobody heard those expiries
        Assert.Equal(0, await redis.ExpiredListenersAsync());

        proxy.RefuseNewConnections = false;
        await EventuallyAsync(async () => (await Members(redis, "t")).Length == 0, TimeSpan.FromSeconds(10),
            "the sweep after reconnecting removes what expired during the outage");
        await EventuallyAsync(async () => await redis.ExpiredListenersAsync() == 1, TimeSpan.FromSeconds(5), "the listener is back");
        Assert.Contains('x', await redis.ConfigGetAsync("notify-keyspace-events")); // set again after the reconnect

        await cache.SetAsync("after", [1], Brief, ["t"]);
        await EventuallyAsync(async () => (await Members(redis, "t")).Length == 0, TimeSpan.FromMilliseconds(2200),
            "an expiry after the outage is cleaned up through notifications");
    }

    [Fact]
    public async Task WhenRedisIsUnreachableAtStart_TheListenerSubscribesOnceItIsBack()
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf");
        await using var proxy = new DelayProxy(redis.Server.Port, TimeSpan.Zero) { RefuseNewConnections = true };
        await using var cache = new RedisAutoExpiryCache(new RedisAutoExpiryCacheOptions
        {
            Configuration = $"{proxy.Endpoint},allowAdmin=true,connectTimeout=500",
            InstanceName = Prefix(),
            Tags = { SweepInterval = Timeout.InfiniteTimeSpan },
        });
        await cache.ConnectAsync(CancellationToken.None); // abortConnect=false: returns, not connected

        proxy.RefuseNewConnections = false;

        await EventuallyAsync(async () => await redis.ExpiredListenersAsync() == 1, TimeSpan.FromSeconds(15), "the listener subscribes");
        await EventuallyAsync(async () => (await redis.ConfigGetAsync("notify-keyspace-events")).Contains('x'), TimeSpan.FromSeconds(5),
            "notifications are switched on");
        await cache.SetAsync("brief", [1], Brief, ["t"]);
        await EventuallyAsync(async () => (await Members(redis, "t")).Length == 0, TimeSpan.FromMilliseconds(2200),
            "the expiry is cleaned up through notifications");
    }

    private async Task<string[]> Members(DedicatedRedis redis, string tag, [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        (await redis.Inspector.SetMembersAsync(Prefix(string.Empty, test) + "#rae:tag:" + tag)).Select(m => (string)m!).Order().ToArray();

    private static async Task ConnectAndListenAsync(RedisAutoExpiryCache cache, DedicatedRedis redis)
    {
        await cache.ConnectAsync(CancellationToken.None);
        await EventuallyAsync(async () => await redis.ExpiredListenersAsync() == 1, TimeSpan.FromSeconds(5), "the listener subscribes");
        await EventuallyAsync(async () => (await redis.ConfigGetAsync("notify-keyspace-events")).Contains('x'), TimeSpan.FromSeconds(5),
            "notifications are switched on");
    }
}
