using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Tagging;

/// <summary>The sweep runs in one process at a time, and not again within the hold-off unless forced.</summary>
public sealed class TagSweeperTests : RedisTestBase
{
    [Fact]
    public async Task ASweepRunningElsewhere_IsNeverJoined_EvenWhenForced()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await Inspector.StringSetAsync(Prefix() + "#rae:sweep-lock", "run:other-process", TimeSpan.FromSeconds(30));

        Assert.Null(await cache.Maintenance.TrySweepAsync(force: false));
        Assert.Null(await cache.Maintenance.TrySweepAsync(force: true));
    }

    [Fact]
    public async Task ASweepRunsAtStart_ThenHoldsOffTheNextForHalfAnInterval_UnlessForced()
    {
        var cache = CreateCache(o => { o.Tags.ListenForKeyspaceNotifications = false; o.Tags.SweepInterval = TimeSpan.FromHours(1); });
        await cache.SetAsync("stays", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) }, ["t"]);
        await EventuallyAsync(async () => ((string?)await Inspector.StringGetAsync(Prefix() + "#rae:sweep-lock"))?.StartsWith("done:") == true,
            TimeSpan.FromSeconds(5), "the sweep at start finishes");
        Assert.InRange(await PttlAsync(Prefix() + "#rae:sweep-lock"), 25 * 60_000, 30 * 60_000);
        await Inspector.SetAddAsync(Prefix() + "#rae:tag:t", "gone"); // a member whose entry does not exist

        Assert.Null(await cache.Maintenance.TrySweepAsync(force: false));
        var forced = await cache.Maintenance.TrySweepAsync(force: true);

        Assert.Equal(1, forced!.Removed);
        Assert.Equal(["stays"], await TagMembersAsync("t"));
    }

    [Fact]
    public async Task TheSweep_OnlyVisitsThisCachesTagSets()
    {
        var cache = CreateCache(o => { WithoutTagMaintenance(o); o.InstanceName = Prefix() + "[a]*"; });
        await Inspector.SetAddAsync(Prefix() + "a#rae:tag:t", "gone"); // matches the prefix as a glob, but is another prefix's

        var result = await cache.Maintenance.TrySweepAsync(force: true);

        Assert.Equal(0, result!.Tags);
        Assert.Equal(1, await Inspector.SetLengthAsync(Prefix() + "a#rae:tag:t"));
    }
}
