using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Tagging;

/// <summary>Bad tags are refused before anything is sent; odd but valid tags are plain data.</summary>
public sealed class TagInputTests : RedisTestBase
{
    // By index: xunit serializes theory data, and a lone surrogate would not survive that.
    private static readonly string?[][] BadTagLists =
    [
        [null],
        [""],
        ["ok", "   "],
        ["\t\n"],
        [new string('x', 257)],
        ["lone\uD800surrogate"],
        ["\uDC00"],
        [.. Enumerable.Range(0, 65).Select(i => $"tag{i}")],
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public async Task ABadTagList_ThrowsArgumentException_AndLeavesTheExistingEntryAlone(int list)
    {
        var tags = BadTagLists[list];
        var cache = CreateCache(variant: list.ToString());
        await cache.SetAsync("entry", [1], OneMinute, ["original"]);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => cache.SetAsync("entry", [2], OneMinute, tags!));
        Assert.ThrowsAny<ArgumentException>(() => cache.Set("entry", [3], OneMinute, tags!));

        Assert.Equal([1], await cache.GetAsync("entry"));
        Assert.Equal(1, await Inspector.SetLengthAsync(Prefix(list.ToString()) + "#rae:tag:original"));
    }

    [Fact]
    public async Task TheLimits_AreConfigurable_AndTheBoundaryIsAccepted()
    {
        var cache = CreateCache(o => { o.Tags.MaximumTagLength = 3; o.Tags.MaximumTagsPerEntry = 2; });

        await cache.SetAsync("entry", [1], OneMinute, ["abc", "xyz", "abc"]); // duplicates count once

        await Assert.ThrowsAsync<ArgumentException>(() => cache.SetAsync("entry", [1], OneMinute, ["abcd"]));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.SetAsync("entry", [1], OneMinute, ["a", "b", "c"]));
        Assert.Equal(["entry"], await TagMembersAsync("xyz"));
    }

    [Fact]
    public async Task NullArguments_ThrowArgumentNullException()
    {
        var cache = CreateCache();

        await Assert.ThrowsAsync<ArgumentNullException>(() => cache.SetAsync("entry", [1], OneMinute, (IEnumerable<string>)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => cache.EvictByTagsAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.EvictByTagAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.EvictByTagAsync(" "));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.EvictByTagsAsync(["ok", ""]));
    }

    [Fact]
    public async Task KeysInTheReservedPrefix_AreRefused_SoNoKeyCanNameATagSet()
    {
        var cache = CreateCache();
        await cache.SetAsync("entry", [1], OneMinute, ["t"]);

        await Assert.ThrowsAsync<ArgumentException>(() => cache.SetAsync("#rae:tag:t", [9], OneMinute));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.RemoveAsync("#rae:tag:t"));
        Assert.Throws<ArgumentException>(() => cache.Get("#rae:entry-tags:entry"));

        Assert.Equal(["entry"], await TagMembersAsync("t"));
    }

    [Fact]
    public async Task GlobCharacters_AreData_EvictingOneTagNeverTouchesAnother()
    {
        var cache = CreateCache();
        string[] tags = ["a*", "a?", "[ab]", "a", "b", "a\\*", "*"];
        foreach (var tag in tags)
        {
            await cache.SetAsync("entry " + tag, [1], OneMinute, [tag]);
        }

        Assert.Equal(1, await cache.EvictByTagAsync("a*"));
        Assert.Equal(1, await cache.EvictByTagAsync("[ab]"));
        Assert.Equal(1, await cache.EvictByTagAsync("*"));

        Assert.Null(await cache.GetAsync("entry a*"));
        Assert.Null(await cache.GetAsync("entry [ab]"));
        Assert.Null(await cache.GetAsync("entry *"));
        foreach (var survivor in new[] { "a?", "a", "b", "a\\*" })
        {
            Assert.NotNull(await cache.GetAsync("entry " + survivor));
            Assert.Equal(["entry " + survivor], await TagMembersAsync(survivor));
        }
    }

    [Fact]
    public async Task UnicodeAndSpaces_RoundTripExactly_AndAreTagsOfTheirOwn()
    {
        var cache = CreateCache();
        string[] tags = ["produits été", "产品", "🙂 emoji", "tab\there", "ß", "ss"];
        await cache.SetAsync("entry", [1], OneMinute, tags);

        foreach (var tag in tags)
        {
            Assert.Equal(["entry"], await TagMembersAsync(tag));
        }

        Assert.Equal(1, await cache.EvictByTagAsync("ss"));
        Assert.Empty(await TagMembersAsync("ß"));
    }
}
