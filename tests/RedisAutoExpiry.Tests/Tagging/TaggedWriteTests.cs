using System.Buffers;
using System.Text.RegularExpressions;
using RedisAutoExpiry.Testing;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Tagging;

/// <summary>Writing, overwriting and removing tagged entries keeps tag sets and entries in step.</summary>
public sealed class TaggedWriteTests : RedisTestBase
{
    [Theory]
    [InlineData(Variant.Sync)]
    [InlineData(Variant.Async)]
    [InlineData(Variant.BufferSync)]
    [InlineData(Variant.BufferAsync)]
    public async Task SetWithTags_PutsTheEntryInEachTagSet(Variant variant)
    {
        var cache = CreateCache(variant: variant.ToString());
        await SetAsync(cache, variant, "product:1", [1, 2], ["products", "category:7"]);

        Assert.Equal([1, 2], await cache.GetAsync("product:1"));
        Assert.Equal(["product:1"], await Members(variant, "products"));
        Assert.Equal(["product:1"], await Members(variant, "category:7"));
    }

    [Fact]
    public async Task SetWithTags_IsOneCommandFromTheClient_ThatWritesTheTagSetsBeforeTheEntry()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("warm-up", [1], OneMinute, ["t"]); // the client loads the script on first use
        await using var monitor = await MonitorSession.StartAsync(Server);

        await cache.SetAsync("entry", [1], OneMinute, ["a", "b"]);
        await cache.GetAsync("sentinel");

        var commands = await monitor.ReadUntilAsync(Prefix() + "sentinel", Prefix(), TimeSpan.FromSeconds(5));
        var fromClient = commands.Where(c => !c.Contains(" lua]", StringComparison.Ordinal)).ToList();
        Assert.Single(fromClient, c => c.Contains("\"EVALSHA\"", StringComparison.Ordinal));
        var inScript = commands.Where(c => c.Contains(" lua]", StringComparison.Ordinal)).Select(c => c[(c.IndexOf(']') + 2)..]).ToList();
        var entrySet = inScript.FindIndex(c => c.StartsWith($"\"SET\" \"{Prefix()}entry\"", StringComparison.Ordinal));
        Assert.True(entrySet >= 0, string.Join('\n', inScript));
        Assert.All(inScript.Where(c => c.StartsWith("\"SADD\"", StringComparison.Ordinal)),
            sadd => Assert.True(inScript.IndexOf(sadd) < entrySet, "tag memberships are written before the entry"));
        Assert.Equal(2, inScript.Count(c => c.StartsWith("\"SADD\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Overwrite_WithOtherTags_LeavesTheTagSetsItNoLongerHas()
    {
        var cache = CreateCache();
        await cache.SetAsync("entry", [1], OneMinute, ["old", "kept"]);
        await cache.SetAsync("other", [1], OneMinute, ["old"]);

        await cache.SetAsync("entry", [2], OneMinute, ["kept", "new"]);

        Assert.Equal(["other"], await TagMembersAsync("old"));
        Assert.Equal(["entry"], await TagMembersAsync("kept"));
        Assert.Equal(["entry"], await TagMembersAsync("new"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Overwrite_WithoutTags_DropsTheIndex_SoEvictingAnOldTagKeepsTheEntry_AndDropsItsStaleMember(bool async)
    {
        var cache = CreateCache(WithoutTagMaintenance, variant: async.ToString());
        var test = nameof(Overwrite_WithoutTags_DropsTheIndex_SoEvictingAnOldTagKeepsTheEntry_AndDropsItsStaleMember) + async;
        await cache.SetAsync("entry", [1], OneMinute, ["a", "b"]);

        if (async)
        {
            await cache.SetAsync("entry", [2], OneMinute);
        }
        else
        {
            cache.Set("entry", [2], OneMinute);
        }

        Assert.Equal([2], await cache.GetAsync("entry")); // after the index's DEL: one connection runs commands in order
        Assert.False(await Inspector.KeyExistsAsync(Prefix(async.ToString()) + "#rae:entry-tags:entry"));
        Assert.Equal(["entry"], await TagMembersAsync("a", test: test)); // stale until an eviction or the sweep drops it
        Assert.Equal(0, await cache.EvictByTagAsync("a"));
        Assert.Equal([2], await cache.GetAsync("entry"));
        Assert.Empty(await TagMembersAsync("a", test: test));
        Assert.Equal(["entry"], await TagMembersAsync("b", test: test));
    }

    [Fact]
    public async Task Overwrite_WithoutTags_LeavesStaleMembers_ThatTheSweepDrops_WhileTheEntryLives()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await cache.SetAsync("entry", [1], OneMinute, ["a", "b"]);
        await cache.SetAsync("tagged", [1], OneMinute, ["a"]);
        await cache.SetAsync("entry", [2], OneMinute);
        await cache.GetAsync("entry");

        var sweep = await cache.Maintenance.TrySweepAsync(force: true);

        Assert.Equal(2, sweep!.Removed);
        Assert.Equal(["tagged"], await TagMembersAsync("a"));
        Assert.Empty(await TagMembersAsync("b"));
        Assert.Equal([2], await cache.GetAsync("entry"));
        Assert.Equal([1], await cache.GetAsync("tagged"));
    }

    [Fact]
    public async Task SetWithoutTags_IsAPlainSetWithItsTtl_ThenADelOfTheIndex_WithoutAScript()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await using var monitor = await MonitorSession.StartAsync(Server);

        await cache.SetAsync("entry", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(61_500) });
        await cache.GetAsync("sentinel");

        var commands = await monitor.ReadUntilAsync(Prefix() + "sentinel", Prefix(), TimeSpan.FromSeconds(5));
        Assert.Equal(2, commands.Count);
        Assert.Contains($"\"PSETEX\" \"{Prefix()}entry\" \"61500\"", commands[0], StringComparison.Ordinal); // SET … PX, as the client spells it
        Assert.Matches($"\"(DEL|UNLINK)\" \"{Regex.Escape(Prefix())}#rae:entry-tags:entry\"", commands[1]); // whichever the client version sends
        Assert.InRange(await PttlAsync(Prefix() + "entry"), 55_000, 61_500);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Remove_TakesTheEntryOutOfAllItsTagSets(bool async)
    {
        var cache = CreateCache(variant: async.ToString());
        await cache.SetAsync("entry", [1], OneMinute, ["a", "b"]);
        await cache.SetAsync("other", [1], OneMinute, ["a"]);

        await cache.RemoveAsync("entry", async);

        Assert.Null(await cache.GetAsync("entry"));
        Assert.Equal(["other"], await TagMembersAsync("a" , test: nameof(Remove_TakesTheEntryOutOfAllItsTagSets) + async));
        Assert.Empty(await TagMembersAsync("b", test: nameof(Remove_TakesTheEntryOutOfAllItsTagSets) + async));
        Assert.False(await Inspector.KeyExistsAsync(Prefix(async.ToString()) + "#rae:entry-tags:entry"));
    }

    [Fact]
    public async Task TheIndexOfATaggedEntry_HasNoTtl_AndListsItsTags()
    {
        var cache = CreateCache();
        await cache.SetAsync("entry", [1], OneMinute, ["a", "b", "a"]);

        Assert.Equal(-1, await PttlAsync(Prefix() + "#rae:entry-tags:entry"));
        Assert.Equal(-1, await PttlAsync(Prefix() + "#rae:tag:a"));
        Assert.Equal(["entry"], await TagMembersAsync("a"));
    }

    public enum Variant
    {
        Sync,
        Async,
        BufferSync,
        BufferAsync,
    }

    private Task<string[]> Members(Variant variant, string tag) =>
        TagMembersAsync(tag, test: nameof(SetWithTags_PutsTheEntryInEachTagSet) + variant);

    private static async Task SetAsync(RedisAutoExpiryCache cache, Variant variant, string key, byte[] value, string[] tags)
    {
        switch (variant)
        {
            case Variant.Sync:
                cache.Set(key, value, OneMinute, tags);
                break;
            case Variant.Async:
                await cache.SetAsync(key, value, OneMinute, tags);
                break;
            case Variant.BufferSync:
                cache.Set(key, new ReadOnlySequence<byte>(value), OneMinute, tags);
                break;
            case Variant.BufferAsync:
                await cache.SetAsync(key, new ReadOnlySequence<byte>(value), OneMinute, tags);
                break;
        }
    }
}
