using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Resilience;

public sealed class RecoveryTests : ResilienceTestBase
{
    /// <summary>
    /// Redis crashes and a supervisor restarts it from its last save: the restarted server has notifications off
    /// again (its config file's value) and a tag set naming an entry that expired while it was down, whose
    /// notification nobody will ever send. The cache reconnects, closes its breaker, switches notifications back on,
    /// resubscribes, and its reconnect sweep removes the dead member (the periodic sweep is off, so only it can).
    /// </summary>
    [Fact]
    public async Task AfterARestart_TheCacheReconnects_ReappliesNotifications_Resubscribes_AndSweeps()
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf");
        await using var cache = CreateCacheOn(redis.Server, o =>
        {
            o.Resilience.BreakAfterFailures = 2;
            o.Resilience.ProbeInterval = TimeSpan.FromMilliseconds(100);
            o.Tags.SweepInterval = Timeout.InfiniteTimeSpan;
        }, CacheLog);
        await cache.SetAsync("kept", [1], OneMinute, ["t"]);
        await EventuallyAsync(async () => await redis.ExpiredListenersAsync() == 1, TimeSpan.FromSeconds(5), "the listener subscribes");
        await cache.SetAsync("doomed", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(400) }, ["t"]);
        Assert.Equal(["doomed", "kept"], await MembersAsync(redis));
        await redis.Inspector.ExecuteAsync("SAVE"); // the tag set is loaded again on restart; "doomed" will have expired
        var saved = DateTime.UtcNow;

        redis.Server.Stop();
        for (var i = 0; i < 2; i++)
        {
            Assert.False(await AnswersAsync(cache));
        }

        await Assert.ThrowsAsync<RedisUnavailableException>(() => cache.GetAsync("kept"));
        await EventuallyAsync(() => Task.FromResult(DateTime.UtcNow - saved > TimeSpan.FromMilliseconds(500)), TimeSpan.FromSeconds(2),
            "the doomed entry's TTL has run out while Redis is down");
        await redis.Server.RestartAsync();

        await EventuallyAsync(() => AnswersAsync(cache), TimeSpan.FromSeconds(10), "the breaker closes");
        await EventuallyAsync(() => ReadAsync(async () => (await redis.ConfigGetAsync("notify-keyspace-events")).Contains('x')), TimeSpan.FromSeconds(10),
            "notifications are switched on again");
        await EventuallyAsync(() => ReadAsync(async () => await redis.ExpiredListenersAsync() == 1), TimeSpan.FromSeconds(10), "the listener is back");
        await EventuallyAsync(() => ReadAsync(async () => (await MembersAsync(redis)).SequenceEqual(["kept"])), TimeSpan.FromSeconds(10),
            "the reconnect sweep removes the entry that expired during the outage");
        Assert.Equal([1], await cache.GetAsync("kept"));

        await cache.SetAsync("after", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(100) }, ["t"]);
        await EventuallyAsync(async () => (await MembersAsync(redis)).SequenceEqual(["kept"]), TimeSpan.FromSeconds(3),
            "an expiry after the restart is cleaned up through notifications");
    }

    // The inspector reconnects after the restart too: until it has, a check is "not yet".
    private static async Task<bool> ReadAsync(Func<Task<bool>> check)
    {
        try
        {
            return await check();
        }
        catch (StackExchange.Redis.RedisConnectionException)
        {
            return false;
        }
    }

    private async Task<string[]> MembersAsync(DedicatedRedis redis, [System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        (await redis.Inspector.SetMembersAsync(Prefix(string.Empty, test) + "#rae:tag:t")).Select(m => (string)m!).Order(StringComparer.Ordinal).ToArray();
}
