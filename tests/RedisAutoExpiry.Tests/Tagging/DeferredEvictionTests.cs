using RedisAutoExpiry.Tagging;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Tagging;

/// <summary>
/// The scripts behind an eviction's later pages and the cleanup after them, driven one call at a time so each state
/// between them can be looked at: a deferred page deletes entries and leaves their other tag sets; LeaveTagSets and
/// Forget take out exactly the entries that are still gone.
/// </summary>
public sealed class DeferredEvictionTests : RedisTestBase
{
    [Fact]
    public async Task ADeferredPage_DeletesTheEntries_AndLeavesTheirOtherTagSets_ToLeaveTagSets()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("a", [1], OneMinute, ["big", "g1"]);
        await cache.SetAsync("b", [1], OneMinute, ["big"]);
        await cache.SetAsync("c", [1], OneMinute, ["big", "g1", "g2"]);

        var page = await cache.Store.EvictPageAsync("big", "0", 100, deferred: true, CancellationToken.None);

        Assert.Equal(("0", 3L), (page.Cursor, page.Count));
        Assert.Empty(await TagMembersAsync("big"));
        Assert.False(await Inspector.KeyExistsAsync(Prefix() + "a") || await Inspector.KeyExistsAsync(Prefix() + "c"));
        foreach (var key in new[] { "a", "b", "c" })
        {
            Assert.False(await Inspector.KeyExistsAsync(Prefix() + "#rae:entry-tags:" + key)); // the page deletes the indexes
        }

        Assert.Equal(["a", "c"], await TagMembersAsync("g1"));
        Assert.Equal(["a", "c"], page.Deferred.Select(item => item.Member).Order());
        Assert.Equal(["big", "g1", "g2"], TagIndex.Unpack(page.Deferred.Single(item => item.Member == "c").Index));

        Assert.Equal(3, await cache.Store.LeaveTagSetsAsync(page.Deferred, CancellationToken.None)); // g1 twice, g2 once: big is empty already

        Assert.Empty(await TagMembersAsync("g1"));
        Assert.Empty(await TagMembersAsync("g2"));
    }

    [Fact]
    public async Task DeferredPagesOfEveryTagOfAnEntry_LeaveNoIndexBehind_EvenIfTheCleanupNeverComes()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("e", [1], OneMinute, ["a", "b"]);

        await cache.Store.EvictPageAsync("a", "0", 100, deferred: true, CancellationToken.None);
        await cache.Store.EvictPageAsync("b", "0", 100, deferred: true, CancellationToken.None);

        // No tag set names the entry any more, so nothing could lead the sweep to an index left behind.
        Assert.Empty(await TagMembersAsync("a"));
        Assert.Empty(await TagMembersAsync("b"));
        Assert.False(await Inspector.KeyExistsAsync(Prefix() + "#rae:entry-tags:e"));
    }

    [Fact]
    public async Task LeaveTagSets_NeverTakesAnEntryWrittenAgain_OutOfATagSet_AndTheSweepDropsWhatItNoLongerCarries()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("a", [1], OneMinute, ["big", "g1", "g2"]);
        await cache.SetAsync("c", [1], OneMinute, ["big", "g1"]);
        var page = await cache.Store.EvictPageAsync("big", "0", 100, deferred: true, CancellationToken.None);

        await cache.SetAsync("a", [2], OneMinute, ["g1"]); // its old index is gone, so g2 still names it
        await cache.Store.LeaveTagSetsAsync(page.Deferred, CancellationToken.None);

        Assert.Equal(["a"], await TagMembersAsync("g1")); // c left; a, live again, stays
        Assert.Equal(["a"], await TagMembersAsync("g2")); // stale: a's index lists g1 alone
        Assert.Equal(["g1"], TagIndex.Unpack((byte[])(await Inspector.StringGetAsync(Prefix() + "#rae:entry-tags:a"))!));

        Assert.NotNull(await cache.Maintenance.TrySweepAsync(force: true));
        Assert.Empty(await TagMembersAsync("g2"));
        Assert.Equal(0, await cache.EvictByTagAsync("g2"));
        Assert.NotNull(await cache.GetAsync("a"));
        Assert.Equal(1, await cache.EvictByTagAsync("g1"));
        Assert.Null(await cache.GetAsync("a"));
    }

    [Fact]
    public async Task ADeferredPage_DoesNotDelete_AnEntryWhoseIndexHoldsTheTagsBytesOnlyInsideAnotherTag()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("inside", [1], OneMinute, ["£big"]); // UTF-8 C2 A3 'b' 'i' 'g': "big" packed is A3 'b' 'i' 'g'
        await cache.SetAsync("both", [1], OneMinute, ["£big", "big"]);
        await Inspector.SetAddAsync(Prefix() + "#rae:tag:big", "inside"); // a stale membership, as a script stopped halfway leaves

        var page = await cache.Store.EvictPageAsync("big", "0", 100, deferred: true, CancellationToken.None);

        Assert.Equal(1, page.Count);
        Assert.NotNull(await cache.GetAsync("inside"));
        Assert.Null(await cache.GetAsync("both"));
        Assert.Empty(await TagMembersAsync("big"));
    }

    [Fact]
    public async Task LeaveTagSets_WithAnIndexThatDoesNotUnpack_StillCleansTheRestOfTheBatch()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("b", [1], OneMinute, ["g"]);
        await Inspector.KeyDeleteAsync(Prefix() + "b");

        var left = await cache.Store.LeaveTagSetsAsync(
            [new ForgetItem("a", [0x91, 0x01]), new ForgetItem("z", [0xdd, 0xff, 0xff, 0xff, 0xff]), new ForgetItem("b", TagIndex.Pack(["g"]))],
            CancellationToken.None);

        Assert.Equal(1, left);
        Assert.Empty(await TagMembersAsync("g"));
    }

    [Fact]
    public async Task Forget_TakesOutTheEntriesThatAreGone_AndLeavesThoseThatExist()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        foreach (var key in new[] { "gone1", "gone2", "live" })
        {
            await cache.SetAsync(key, [1], OneMinute, ["t", $"own:{key}"]);
        }

        await Inspector.KeyDeleteAsync([Prefix() + "gone1", Prefix() + "gone2"]); // as an expiry would

        Assert.Equal(2, await cache.Store.ForgetAsync(["gone1", "live", "gone2", "never"], CancellationToken.None));

        Assert.Equal(["live"], await TagMembersAsync("t"));
        Assert.Empty(await TagMembersAsync("own:gone1"));
        Assert.Equal(["live"], await TagMembersAsync("own:live"));
        Assert.False(await Inspector.KeyExistsAsync(Prefix() + "#rae:entry-tags:gone2"));
        Assert.True(await Inspector.KeyExistsAsync(Prefix() + "#rae:entry-tags:live"));
    }

    [Fact]
    public async Task Forget_OfABatchWhoseEntriesAreAllGone_TakesThemAllOut()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("x", [1], OneMinute, ["t", "u"]);
        await cache.SetAsync("y", [1], OneMinute, ["t"]);
        await Inspector.KeyDeleteAsync([Prefix() + "x", Prefix() + "y"]);

        Assert.Equal(2, await cache.Store.ForgetAsync(["x", "y"], CancellationToken.None));

        Assert.Empty(await TagMembersAsync("t"));
        Assert.Empty(await TagMembersAsync("u"));
    }
}
