using RedisAutoExpiry.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Tagging;

/// <summary>
/// Past its first page an eviction keeps its SSCAN cursor in a key of its own, so the next page is sent before the last
/// one's reply is back. The key goes away at the end, a page with no key to go on from does nothing, an eviction whose
/// key vanishes midway still deletes every entry, a Redis at maxmemory can still be evicted from, and pages that run
/// out of order (sent again after NOSCRIPT) are all counted.
/// </summary>
public sealed class EvictionPagesTests : RedisTestBase
{
    [Fact]
    public async Task EvictByTag_GoesOnFromItsCursorKey_AndLeavesNoneBehind()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await FillAsync(cache, 1200);
        await cache.EvictByTagAsync("warm-up"); // the client loads the script on first use
        await using var monitor = await Testing.MonitorSession.StartAsync(Server);

        Assert.Equal(1200, await cache.EvictByTagAsync("doomed"));
        await cache.GetAsync("sentinel");

        var cursorReads = await monitor.ReadUntilAsync(Prefix() + "sentinel", $"\"GET\" \"{Prefix()}#rae:evicting:", TimeSpan.FromSeconds(10));
        Assert.NotEmpty(cursorReads); // pages sent ahead read the cursor the page before them left
        await AssertEvictedAsync(Inspector, cache, 1200);
        Assert.Empty(await CursorKeysAsync());
    }

    [Fact]
    public async Task EvictByTag_OfATagThatFitsInOnePage_LeavesNoCursorKey_AndSendsNoPageAhead()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await FillAsync(cache, 20);
        await cache.EvictByTagAsync("warm-up");
        await using var monitor = await Testing.MonitorSession.StartAsync(Server);

        Assert.Equal(20, await cache.EvictByTagAsync("doomed"));
        await cache.GetAsync("sentinel");

        Assert.Empty(await monitor.ReadUntilAsync(Prefix() + "sentinel", "#rae:evicting:", TimeSpan.FromSeconds(10)));
        Assert.Empty(await TagMembersAsync("doomed"));
    }

    [Fact]
    public async Task EvictPage_WithNoCursorKeyToGoOnFrom_DoesNothing_AndSaysSo()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        await FillAsync(cache, 20);

        var page = await cache.Store.EvictPageAsync("doomed", string.Empty, 100, deferred: true, CancellationToken.None,
            cache.Store.Layout.NewEvictionCursor());

        Assert.Equal(string.Empty, page.Cursor);
        Assert.Equal(0, page.Count);
        Assert.Equal(20, (await TagMembersAsync("doomed")).Length);
        Assert.NotNull(await cache.GetAsync("entry:0"));
    }

    [Fact]
    public async Task EvictByTag_WhoseCursorKeyVanishesMidway_StillDeletesEveryEntry()
    {
        // A server of its own: the deleter lists keys in a tight loop, which would slow every other test's server.
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = CreateCacheOn(redis.Server, WithoutTagMaintenance);
        var vanished = 0;
        for (var attempt = 0; attempt < 5 && vanished == 0; attempt++)
        {
            await FillAsync(cache, 3000);
            using var stop = new CancellationTokenSource();
            var deleter = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var keys = (RedisResult[])(await redis.Inspector.ExecuteAsync("KEYS", "*#rae:evicting:*"))!;
                    foreach (var key in keys)
                    {
                        vanished += await redis.Inspector.KeyDeleteAsync((string)key!) ? 1 : 0;
                    }
                }
            });

            var evicted = await cache.EvictByTagAsync("doomed");
            stop.Cancel();
            await deleter;

            Assert.Equal(3000, evicted);
            await AssertEvictedAsync(redis.Inspector, cache, 3000);
        }

        Assert.True(vanished > 0, "the deleter never caught a cursor key in five evictions, so the path went untested");
    }

    [Fact]
    public async Task EvictByTag_OnARedisOutOfMemory_StillEvictsEveryEntry()
    {
        // Redis refuses a script's first command that may add memory once maxmemory is reached; a page's SET of its
        // cursor key must come after its deletions, or evicting to free memory would fail from the second page on.
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = CreateCacheOn(redis.Server, WithoutTagMaintenance);
        await FillAsync(cache, 1200);
        await redis.Inspector.ExecuteAsync("CONFIG", "SET", "maxmemory", "1");

        Assert.Equal(1200, await cache.EvictByTagAsync("doomed"));

        await AssertEvictedAsync(redis.Inspector, cache, 1200);
        Assert.Empty((RedisResult[])(await redis.Inspector.ExecuteAsync("KEYS", "*#rae:evicting:*"))!);
    }

    [Fact]
    public async Task EvictPage_WithNoMembers_OnARedisOutOfMemory_DropsItsCursorKey_AndNamesTheCursorToGoOnFrom()
    {
        // Only a page that found no members has written nothing before its SET of the cursor key, so only it can be
        // refused at maxmemory. Pages of one member over a sparse table meet runs of empty buckets; Redis shrinks a
        // set's table as it empties, except while a child process saves, so a slow BGSAVE keeps it sparse meanwhile.
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = CreateCacheOn(redis.Server, WithoutTagMaintenance);
        await FillAsync(cache, 1000);
        var tagSet = Prefix() + "#rae:tag:doomed";
        await redis.Inspector.ExecuteAsync("CONFIG", "SET", "rdb-key-save-delay", "750"); // µs a key: about 1.5 s in all
        await redis.Inspector.ExecuteAsync("BGSAVE");
        await redis.Inspector.SetRemoveAsync(tagSet, Enumerable.Range(0, 900).Select(i => (RedisValue)$"entry:{i}").ToArray());
        await redis.Inspector.ExecuteAsync("CONFIG", "SET", "maxmemory", "1");
        Assert.True(await SavingAsync(redis), "the save ended before the pages began, so the table may have shrunk");

        var cursorKey = cache.Store.Layout.NewEvictionCursor();
        var (cursor, removed, empty) = ("0", 0L, 0);
        do
        {
            var page = await cache.Store.EvictPageAsync("doomed", cursor, 1, deferred: true, CancellationToken.None, cursorKey);
            removed += page.Count;
            if (page.Members == 0 && page.Cursor != "0")
            {
                empty++;
                Assert.False(await redis.Inspector.KeyExistsAsync(cursorKey)); // the page sent after it finds none
            }

            cursor = page.Cursor;
        }
        while (cursor != "0");

        Assert.True(empty > 0, "no page came back empty, so the refused SET went untested");
        Assert.Equal(100, removed);
        Assert.Equal(0, await redis.Inspector.SetLengthAsync(tagSet));
        await redis.Inspector.ExecuteAsync("CONFIG", "SET", "maxmemory", "0");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await SavingAsync(redis) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50); // the child exits before the server is killed
        }
    }

    [Fact]
    public async Task EvictByTag_CancelledMidway_LeavesItsCursorKeyToExpire_AndAnotherEvictionFinishesTheTag()
    {
        var cache = CreateCache(WithoutTagMaintenance);
        var cancelled = false;
        for (var attempt = 0; attempt < 10 && !cancelled; attempt++)
        {
            await FillAsync(cache, 3000);
            using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(5 + 3 * attempt));
            try
            {
                await cache.EvictByTagAsync("doomed", cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                // Midway: some pages done, not all, and past the first page (which keeps no cursor key), so the
                // lifetime check below has a key to check.
                var left = (await TagMembersAsync("doomed")).Length;
                cancelled = left is > 0 and < 3000 && (await CursorKeysAsync()).Length > 0;
            }
        }

        Assert.True(cancelled, "no eviction was cancelled between its later pages in ten attempts, so the path went untested");
        foreach (var key in await CursorKeysAsync())
        {
            var ttl = await PttlAsync(key!);
            Assert.InRange(ttl, 1, 300_000); // a page sent ahead may still have run, but no key outlives its lifetime
        }

        await cache.EvictByTagAsync("doomed");
        await AssertEvictedAsync(Inspector, cache, 3000);
    }

    [Fact]
    public async Task EvictByTag_WhileScriptsAreFlushed_CountsEveryEntry()
    {
        // After SCRIPT FLUSH each page in flight is sent again as EVAL from its own continuation, so two pages can run
        // out of order: the scan stays exact (each reads the cursor the page that ran before it left), and every page's
        // reply must still be counted.
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var cache = CreateCacheOn(redis.Server, WithoutTagMaintenance);
        var flushes = 0;
        for (var eviction = 0; eviction < 20; eviction++)
        {
            await FillAsync(cache, 3000);
            using var stop = new CancellationTokenSource();
            var flusher = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await redis.Inspector.ExecuteAsync("SCRIPT", "FLUSH");
                    flushes++;
                }
            });

            var evicted = await cache.EvictByTagAsync("doomed");
            stop.Cancel();
            await flusher;

            Assert.Equal(3000, evicted);
            Assert.Equal(0, await redis.Inspector.SetLengthAsync(Prefix() + "#rae:tag:doomed"));
        }

        Assert.True(flushes > 20, "the flusher hardly ran, so no page met NOSCRIPT");
    }

    // The tag set is empty, and the first and last of the entries FillAsync wrote are gone.
    private async Task AssertEvictedAsync(IDatabase inspector, RedisAutoExpiryCache cache, int count,
        [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        Assert.Equal(0, await inspector.SetLengthAsync(Prefix(test: test) + "#rae:tag:doomed"));
        Assert.Null(await cache.GetAsync("entry:0"));
        Assert.Null(await cache.GetAsync($"entry:{count - 1}"));
    }

    private static async Task<bool> SavingAsync(DedicatedRedis redis) =>
        ((string)(await redis.Inspector.ExecuteAsync("INFO", "persistence"))!).Contains("rdb_bgsave_in_progress:1", StringComparison.Ordinal);

    private static Task FillAsync(RedisAutoExpiryCache cache, int count) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => cache.SetAsync($"entry:{i}", [1], OneMinute, ["doomed", $"group:{i % 10}"])));

    private async Task<RedisKey[]> CursorKeysAsync([System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var keys = (RedisResult[])(await Inspector.ExecuteAsync("KEYS", Prefix(test: test) + "#rae:evicting:*"))!;
        return keys.Select(key => (RedisKey)(string)key!).ToArray();
    }
}
