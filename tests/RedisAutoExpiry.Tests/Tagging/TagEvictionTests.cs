using StackExchange.Redis;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Tagging;

/// <summary>
/// EvictByTag removes exactly the tagged entries, counts them, and leaves no entry unfindable. Past its first page it
/// leaves the entries' other tag sets to the cleanup right after it, so those are checked with a deadline.
/// </summary>
public sealed class TagEvictionTests : RedisTestBase
{
    [Fact]
    public async Task EvictByTag_RemovesEveryEntryWithTheTag_OverManyPages_AndReturnsHowMany()
    {
        var cache = CreateCache(WithoutTagMaintenance); // the cleanup after the eviction is its own, not the sweep's
        const int Tagged = 1200; // several SSCAN pages
        await Task.WhenAll(Enumerable.Range(0, Tagged).Select(i => cache.SetAsync($"tagged:{i}", [1], OneMinute, ["doomed", $"own:{i}"])));
        await cache.SetAsync("untagged", [1], OneMinute);
        await cache.SetAsync("other", [1], OneMinute, ["kept"]);

        Assert.Equal(Tagged, await cache.EvictByTagAsync("doomed"));

        // Gone when the call returns.
        Assert.Empty(await TagMembersAsync("doomed"));
        for (var i = 0; i < Tagged; i++)
        {
            Assert.False(await Inspector.KeyExistsAsync(Prefix() + $"tagged:{i}"), $"tagged:{i} survived");
        }

        Assert.NotNull(await cache.GetAsync("untagged"));
        Assert.NotNull(await cache.GetAsync("other"));
        Assert.Equal(["other"], await TagMembersAsync("kept"));
        Assert.Equal(0, await cache.EvictByTagAsync("doomed"));

        // Taken out of their other tag sets, and their indexes deleted, right after.
        await EventuallyAsync(async () => await KeyCountAsync(Prefix() + "#rae:tag:own:*") == 0 && await KeyCountAsync(Prefix() + "#rae:entry-tags:tagged:*") == 0,
            TimeSpan.FromSeconds(5), "every own:N tag set and tagged:N index is gone");
    }

    [Fact]
    public async Task EvictByTag_OfATagThatFitsInOnePage_IsCleanWhenItReturns()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => cache.SetAsync($"e:{i}", [1], OneMinute, ["small", "shared"])));
        await cache.SetAsync("kept", [1], OneMinute, ["shared"]);

        Assert.Equal(20, await cache.EvictByTagAsync("small"));

        Assert.Equal(["kept"], await TagMembersAsync("shared"));
        Assert.False(await Inspector.KeyExistsAsync(Prefix() + "#rae:entry-tags:e:3"));
        Assert.Equal(0, cache.ForgetQueue.Pending);
    }

    [Fact]
    public async Task EvictByTag_OfATagNobodyUsed_ReturnsZero()
    {
        var cache = CreateCache();
        Assert.Equal(0, await cache.EvictByTagAsync("never"));
    }

    [Fact]
    public async Task EvictByTag_DoesNotCount_EntriesRedisHadAlreadyExpired()
    {
        var cache = CreateCache(o => o.Tags.ListenForKeyspaceNotifications = false);
        await cache.SetAsync("short", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(50) }, ["t"]);
        await cache.SetAsync("long", [1], OneMinute, ["t"]);
        await EventuallyAsync(async () => await PttlAsync(Prefix() + "short") == -2, TimeSpan.FromSeconds(3), "the short entry expires");

        Assert.Equal(1, await cache.EvictByTagAsync("t"));
        Assert.Empty(await TagMembersAsync("t"));
    }

    [Fact]
    public async Task EvictByTags_CountsAnEntryCarryingSeveralOfTheTagsOnce()
    {
        var cache = CreateCache();
        await cache.SetAsync("both", [1], OneMinute, ["a", "b"]);
        await cache.SetAsync("only-a", [1], OneMinute, ["a"]);
        await cache.SetAsync("only-b", [1], OneMinute, ["b"]);
        await cache.SetAsync("neither", [1], OneMinute, ["c"]);

        Assert.Equal(3, await cache.EvictByTagsAsync(["a", "b", "a"]));

        Assert.NotNull(await cache.GetAsync("neither"));
        Assert.Empty(await TagMembersAsync("a"));
        Assert.Empty(await TagMembersAsync("b"));
    }

    [Fact]
    public async Task EvictByTag_OfEntriesWithManyTags_ShrinksItsPages_SoNoPageDoesMuchMoreWork()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        var tags = Enumerable.Range(0, 64).Select(i => $"t{i}").ToArray();
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => cache.SetAsync($"entry:{i}", [1], OneMinute, tags)));
        await cache.EvictByTagAsync("warm-up"); // the client loads the script on first use
        await using var monitor = await Testing.MonitorSession.StartAsync(Server);

        Assert.Equal(300, await cache.EvictByTagAsync("t0"));
        await cache.GetAsync("sentinel");

        var counts = (await monitor.ReadUntilAsync(Prefix() + "sentinel", $"\"SSCAN\" \"{Prefix()}#rae:tag:t0\"", TimeSpan.FromSeconds(10)))
            .Select(line => int.Parse(line.Split(' ')[^1].Trim('"'))).ToList();
        Assert.Equal(50, counts[0]);            // a first page small enough for 64 tags an entry, which it leaves itself
        Assert.InRange(counts[1], 5, 15);       // then sized to ~750 units of work,
        Assert.All(counts.Skip(2), count => Assert.InRange(count, 5, 250)); // and grown again as pages leave the rest to the cleanup
        await EventuallyAsync(async () => (await TagMembersAsync("t63")).Length == 0, TimeSpan.FromSeconds(5), "the cleanup empties t63");
    }

    [Fact]
    public async Task EvictByTag_WithACancelledToken_ThrowsBeforeSendingAnything()
    {
        var cache = CreateCache();
        await cache.SetAsync("entry", [1], OneMinute, ["t"]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.EvictByTagAsync("t", cancelled.Token));
        Assert.Equal(["entry"], await TagMembersAsync("t"));
    }

    /// <summary>
    /// The race: writers keep tagging entries while the eviction runs. Every entry tagged before the eviction began
    /// and not written since is gone; every entry that exists afterwards and was last written with the tag is still
    /// in the tag's set (no orphan), and no member of the set points at a missing entry.
    /// </summary>
    [Fact]
    public async Task EvictByTag_RacingWritesOfTheSameTag_LeavesNoOrphan()
    {
        var cache = CreateCache(o => o.Tags.ListenForKeyspaceNotifications = false);
        const int Before = 3000;
        await Task.WhenAll(Enumerable.Range(0, Before).Select(i => cache.SetAsync($"old:{i}", [1], OneMinute, ["hot"])));

        using var stop = new CancellationTokenSource();
        var writes = 0;
        var rewritten = new System.Collections.Concurrent.ConcurrentBag<string>();
        var written = new System.Collections.Concurrent.ConcurrentBag<string>();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = i % 2 == 0 ? $"new:{w}:{i}" : $"old:{(w * 997 + i * 31) % Before}";
                await cache.SetAsync(key, [2], OneMinute, ["hot", "side"]);
                (key.StartsWith("old:", StringComparison.Ordinal) ? rewritten : written).Add(key);
                Interlocked.Increment(ref writes);
            }
        })).ToList();

        await EventuallyAsync(() => Task.FromResult(Volatile.Read(ref writes) > 20), TimeSpan.FromSeconds(5), "the writers are running");
        var writesBefore = Volatile.Read(ref writes);
        var evicted = await cache.EvictByTagAsync("hot");
        var writesDuring = Volatile.Read(ref writes) - writesBefore;
        stop.Cancel();
        await Task.WhenAll(writers);

        Assert.True(evicted >= Before - rewritten.Distinct().Count(), $"evicted {evicted}");
        var untouched = Enumerable.Range(0, Before).Select(i => $"old:{i}").Except(rewritten).ToList();
        foreach (var key in untouched)
        {
            Assert.False(await Inspector.KeyExistsAsync(Prefix() + key), $"{key} was tagged before the eviction and survived it");
        }

        var members = (await TagMembersAsync("hot")).ToHashSet();
        var keys = written.Concat(rewritten).Distinct().ToList();
        foreach (var key in keys)
        {
            Assert.Equal(await Inspector.KeyExistsAsync(Prefix() + key), members.Contains(key));
        }

        // The other tag set is left to the cleanup after the eviction: exact once it has run.
        await EventuallyAsync(async () => cache.ForgetQueue.Pending == 0, TimeSpan.FromSeconds(5), "the cleanup has run");
        var side = (await TagMembersAsync("side")).ToHashSet();
        foreach (var key in keys)
        {
            Assert.Equal(await Inspector.KeyExistsAsync(Prefix() + key), side.Contains(key));
        }

        Assert.True(writesDuring > 0, "no write ran during the eviction: the race was not exercised");
    }

    private async Task<int> KeyCountAsync(string pattern) => ((RedisResult[])(await Inspector.ExecuteAsync("KEYS", pattern))!).Length;
}
