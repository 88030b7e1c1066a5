using System.Buffers;
using System.IO.Pipelines;
using RedisAutoExpiry.OutputCaching;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.OutputCaching;

public sealed class RedisAutoExpiryOutputCacheStoreTests : RedisTestBase
{
    private const string Key = "GET\u001eHTTP\u001eLOCALHOST/PRODUCTS/1";

    [Fact]
    public async Task SetThenGet_RoundTrips_UnderTheReservedPrefix_ExpiringAfterValidFor()
    {
        var store = new RedisAutoExpiryOutputCacheStore(CreateCache());

        await store.SetAsync(Key, [1, 2, 3], null, TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Equal([1, 2, 3], await store.GetAsync(Key, CancellationToken.None));
        Assert.InRange(await PttlAsync(Prefix() + "#rae:out:" + Key), 19_000, 20_000);
        Assert.Null(await store.GetAsync("GET\u001eHTTP\u001eLOCALHOST/OTHER", CancellationToken.None));
    }

    [Fact]
    public async Task BufferForms_RoundTripToo()
    {
        var store = new RedisAutoExpiryOutputCacheStore(CreateCache());
        var pipe = new Pipe();

        await store.SetAsync(Key, new ReadOnlySequence<byte>([4, 5, 6]), new[] { "t" }, TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.True(await store.TryGetAsync(Key, pipe.Writer, CancellationToken.None));
        Assert.False(await store.TryGetAsync(Key + "/other", pipe.Writer, CancellationToken.None));
        await pipe.Writer.CompleteAsync();
        var read = await pipe.Reader.ReadAsync();
        Assert.Equal([4, 5, 6], read.Buffer.ToArray());
    }

    [Fact]
    public async Task Tags_NameTheResponse_AndEvictingOneRemovesIt()
    {
        var store = new RedisAutoExpiryOutputCacheStore(CreateCache());
        await store.SetAsync(Key, [1], ["product:1", "products"], TimeSpan.FromSeconds(20), CancellationToken.None);
        await store.SetAsync(Key + "2", [2], ["products"], TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Equal(["#rae:out:" + Key], await TagMembersAsync("product:1"));
        await store.EvictByTagAsync("product:1", CancellationToken.None);

        Assert.Null(await store.GetAsync(Key, CancellationToken.None));
        Assert.Equal([2], await store.GetAsync(Key + "2", CancellationToken.None));
        Assert.Equal(["#rae:out:" + Key + "2"], await TagMembersAsync("products"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task AValidForThatIsNotPositive_Throws_AndWritesNothing(int milliseconds)
    {
        var store = new RedisAutoExpiryOutputCacheStore(CreateCache(variant: milliseconds.ToString()));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await store.SetAsync(Key, [1], ["t"], TimeSpan.FromMilliseconds(milliseconds), CancellationToken.None));

        Assert.False(await Inspector.KeyExistsAsync(Prefix(milliseconds.ToString()) + "#rae:out:" + Key));
    }

    [Fact]
    public async Task AnInvalidTag_Throws_OnSetAndOnEviction()
    {
        var store = new RedisAutoExpiryOutputCacheStore(CreateCache());

        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await store.SetAsync(Key, [1], [" "], TimeSpan.FromSeconds(20), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.EvictByTagAsync("", CancellationToken.None));
        Assert.Null(await store.GetAsync(Key, CancellationToken.None));
    }

    [Fact]
    public async Task ADistributedCacheEntry_NeverSharesAKeyWithAResponse()
    {
        var cache = CreateCache();
        var store = new RedisAutoExpiryOutputCacheStore(cache);

        await cache.SetAsync(Key, new byte[] { 9 }, new Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions());
        await store.SetAsync(Key, [1], null, TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Equal([9], await cache.GetAsync(Key));
        Assert.Equal([1], await store.GetAsync(Key, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.GetAsync("#rae:out:" + Key));
    }

    [Fact]
    public async Task AnExpiredResponse_LeavesItsTagSets_ThroughNotifications()
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf");
        await using var cache = CreateCacheOn(redis.Server, o => o.Tags.SweepInterval = Timeout.InfiniteTimeSpan);
        await cache.ConnectAsync(CancellationToken.None);
        await EventuallyAsync(async () => await redis.ExpiredListenersAsync() == 1, TimeSpan.FromSeconds(5), "the listener subscribes");
        var store = new RedisAutoExpiryOutputCacheStore(cache);

        await store.SetAsync(Key, [1], ["page"], TimeSpan.FromMilliseconds(200), CancellationToken.None);

        await EventuallyAsync(async () => !await redis.Inspector.KeyExistsAsync(Prefix() + "#rae:tag:page"), TimeSpan.FromSeconds(3),
            "the expired response leaves its tag set");
        Assert.False(await redis.Inspector.KeyExistsAsync(Prefix() + "#rae:entry-tags:#rae:out:" + Key));
    }
}
