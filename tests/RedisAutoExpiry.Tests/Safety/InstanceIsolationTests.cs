using RedisAutoExpiry.OutputCaching;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Safety;

/// <summary>
/// Two apps on one Redis, told apart only by InstanceName ("shop:" and "blog:"), using the same keys, tags and URLs:
/// neither sees, evicts, cleans nor sweeps the other's entries and tag sets.
/// </summary>
public sealed class InstanceIsolationTests : RedisTestBase
{
    [Fact]
    public async Task SameKeysAndTags_InTwoInstances_NeverMeet()
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf");
        await using var shop = App(redis, "shop:");
        await using var blog = App(redis, "blog:");
        foreach (var (cache, value) in new[] { (shop, (byte)1), (blog, (byte)2) })
        {
            await cache.SetAsync("home", [value], OneMinute, ["t"]);
            await cache.SetAsync("about", [value], OneMinute, ["t"]);
            await cache.SetAsync("contact", [value], OneMinute);
        }

        Assert.Equal([1], await shop.GetAsync("home"));
        Assert.Equal([2], await blog.GetAsync("home"));

        Assert.Equal(2, await shop.EvictByTagAsync("t"));
        await shop.RemoveAsync("contact");

        Assert.Null(await shop.GetAsync("home"));
        Assert.Equal([2], await blog.GetAsync("home"));
        Assert.Equal([2], await blog.GetAsync("about"));
        Assert.Equal([2], await blog.GetAsync("contact"));
        Assert.Equal(["about", "home"], await MembersAsync(redis, "blog:", "t"));
        Assert.Equal(2, await blog.EvictByTagAsync("t")); // the other's eviction left blog's tag whole
    }

    [Fact]
    public async Task OutputCacheEvictions_StayInTheirInstance()
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf");
        await using var shop = App(redis, "shop:");
        await using var blog = App(redis, "blog:");
        var shopPages = new RedisAutoExpiryOutputCacheStore(shop);
        var blogPages = new RedisAutoExpiryOutputCacheStore(blog);
        await shopPages.SetAsync("GET/", [1], ["pages"], TimeSpan.FromMinutes(1), default);
        await blogPages.SetAsync("GET/", [2], ["pages"], TimeSpan.FromMinutes(1), default);

        await shopPages.EvictByTagAsync("pages", default);

        Assert.Null(await shopPages.GetAsync("GET/", default));
        Assert.Equal([2], await blogPages.GetAsync("GET/", default));
    }

    [Fact]
    public async Task ExpiryCleanup_AndTheSweep_TouchOnlyTheirOwnTagSets()
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf");
        await using var shop = App(redis, "shop:");
        await using var blog = App(redis, "blog:");
        await blog.SetAsync("item", [2], OneMinute, ["t"]);
        await shop.GetAsync("connect"); // each cache connects, and starts listening, on first use
        await EventuallyAsync(async () => await redis.ExpiredListenersAsync() == 2, TimeSpan.FromSeconds(10), "both listeners subscribe");

        // shop's "item" expires: both apps hear of it, only shop's tag set loses it.
        await shop.SetAsync("item", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(100) }, ["t"]);
        await EventuallyAsync(async () => (await MembersAsync(redis, "shop:", "t")).Length == 0, TimeSpan.FromSeconds(5),
            "shop's expired entry leaves shop's tag set");
        Assert.Equal(["item"], await MembersAsync(redis, "blog:", "t"));

        // A member with no entry in blog's tag set: shop's sweep leaves it, blog's own sweep removes it.
        await redis.Inspector.SetAddAsync("blog:#rae:tag:t", "ghost");
        Assert.NotNull(await shop.Maintenance.TrySweepAsync(force: true));
        Assert.Equal(["ghost", "item"], await MembersAsync(redis, "blog:", "t"));
        Assert.NotNull(await blog.Maintenance.TrySweepAsync(force: true));
        Assert.Equal(["item"], await MembersAsync(redis, "blog:", "t"));
    }

    private RedisAutoExpiryCache App(DedicatedRedis redis, string instanceName) =>
        CreateCacheOn(redis.Server, o =>
        {
            o.InstanceName = instanceName;
            o.Tags.SweepInterval = Timeout.InfiniteTimeSpan;
            o.Resilience.OutputCacheTimeout = TestOperationTimeout; // the loaded suite can exceed 50 ms, a silent miss here
        });

    private static async Task<string[]> MembersAsync(DedicatedRedis redis, string instanceName, string tag) =>
        (await redis.Inspector.SetMembersAsync($"{instanceName}#rae:tag:{tag}")).Select(m => (string)m!).Order().ToArray();
}
