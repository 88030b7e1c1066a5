using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.DistributedCaching;

public sealed class RedisAutoExpiryCacheValueTests : RedisTestBase
{
    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 1)]
    [InlineData(true, 1024)]
    [InlineData(true, 3 * 1024 * 1024 + 7)]
    public async Task SetThenGet_ReturnsTheExactBytes_EmptyAndLargeIncluded(bool async, int length)
    {
        var cache = CreateCache(variant: $"{async}-{length}");
        var value = Bytes(length, seed: length);

        await cache.SetAsync("entry", value, OneMinute, async);

        Assert.Equal(value, await cache.GetAsync("entry", async));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Get_ReturnsNull_ForAMissingKey(bool async)
    {
        var cache = CreateCache(variant: async.ToString());

        Assert.Null(await cache.GetAsync("never-written", async));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Set_OverTheMaximumSize_Throws_AndLeavesTheExistingEntryAlone(bool async)
    {
        var cache = CreateCache(o => o.MaximumValueSize = 1024, variant: async.ToString());
        var original = Bytes(1024);
        await cache.SetAsync("entry", original, OneMinute, async);

        var exception = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => cache.SetAsync("entry", Bytes(1025, 2), OneMinute, async));

        Assert.Contains("MaximumValueSize allows 1024", exception.Message);
        Assert.Equal(original, await cache.GetAsync("entry", async));
    }

    [Fact]
    public async Task Set_OverTheMaximumSize_WritesNothing_ForANewKey()
    {
        var cache = CreateCache(o => o.MaximumValueSize = 10);

        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Set("entry", new byte[11], OneMinute));

        Assert.False(await Inspector.KeyExistsAsync(Prefix() + "entry"));
    }

    [Fact]
    public async Task GetAsync_OfABadKeyOrWithACanceledToken_FailsItsTask_NotTheCall()
    {
        var cache = CreateCache();
        using var canceled = new CancellationTokenSource();
        canceled.Cancel();

        // As an async method's would: a caller that starts several Gets before awaiting them is not thrown out early.
        var nullKey = cache.GetAsync(null!);
        var reservedKey = cache.GetAsync("#rae:tag:x");
        var canceledGet = cache.GetAsync("entry", canceled.Token);

        await Assert.ThrowsAsync<ArgumentNullException>(() => nullKey);
        await Assert.ThrowsAsync<ArgumentException>(() => reservedKey);
        Assert.True(canceledGet.IsCanceled);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task NullArguments_ThrowArgumentNullException(bool async)
    {
        var cache = CreateCache(variant: async.ToString());

        await Assert.ThrowsAsync<ArgumentNullException>(() => cache.GetAsync(null!, async));
        await Assert.ThrowsAsync<ArgumentNullException>(() => cache.SetAsync(null!, [1], OneMinute, async));
        await Assert.ThrowsAsync<ArgumentNullException>(() => cache.SetAsync("entry", null!, OneMinute, async));
        await Assert.ThrowsAsync<ArgumentNullException>(() => cache.SetAsync("entry", [1], null!, async));
        await Assert.ThrowsAsync<ArgumentNullException>(() => cache.RefreshAsync(null!, async));
        await Assert.ThrowsAsync<ArgumentNullException>(() => cache.RemoveAsync(null!, async));
        Assert.False(await Inspector.KeyExistsAsync(Prefix(async.ToString()) + "entry"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Remove_DeletesTheEntry(bool async)
    {
        var cache = CreateCache(variant: async.ToString());
        await cache.SetAsync("entry", [1, 2, 3], OneMinute, async);

        await cache.RemoveAsync("entry", async);

        Assert.Null(await cache.GetAsync("entry", async));
        Assert.False(await Inspector.KeyExistsAsync(Prefix(async.ToString()) + "entry"));
    }

    [Fact]
    public async Task BufferApi_WritesAMultiSegmentValue_AndCopiesItIntoTheCallersBuffer()
    {
        var cache = CreateCache();
        var value = Bytes(10_000);
        var sequence = Segments.Of(value, 3000);
        var options = new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(1) };

        await cache.SetAsync("async", sequence, options);
        cache.Set("sync", sequence, options);

        foreach (var key in new[] { "async", "sync" })
        {
            var asyncBuffer = new ArrayBufferWriter<byte>();
            var syncBuffer = new ArrayBufferWriter<byte>();
            Assert.True(await cache.TryGetAsync(key, asyncBuffer));
            Assert.True(cache.TryGet(key, syncBuffer));
            Assert.Equal(value, asyncBuffer.WrittenSpan.ToArray());
            Assert.Equal(value, syncBuffer.WrittenSpan.ToArray());
        }

        var missBuffer = new ArrayBufferWriter<byte>();
        Assert.False(await cache.TryGetAsync("missing", missBuffer));
        Assert.False(cache.TryGet("missing", missBuffer));
        Assert.Equal(0, missBuffer.WrittenCount);
    }

    [Theory]
    [InlineData(new byte[] { 0xAE })]              // the marker alone
    [InlineData(new byte[] { 0xAE, 0x20, 1, 2 })] // a future format version
    [InlineData(new byte[] { 0xAE, 0x11, 1, 2 })] // a sliding header cut short
    public async Task Get_TreatsAValueStartingWithTheMarker_ButNotInTheEntryFormat_AsAMiss(byte[] foreign)
    {
        var variant = Convert.ToHexString(foreign);
        var cache = CreateCache(variant: variant);
        await Inspector.StringSetAsync(Prefix(variant) + "foreign", foreign);

        Assert.Null(await cache.GetAsync("foreign"));
        Assert.Null(cache.Get("foreign"));
        Assert.False(cache.TryGet("foreign", new ArrayBufferWriter<byte>()));
        Assert.Equal(foreign, (byte[]?)await Inspector.StringGetAsync(Prefix(variant) + "foreign"));
    }

    [Fact]
    public async Task Get_OfAStringAnotherProgramWrote_ReturnsIt_AsEntriesWithoutAHeaderAreStoredBare()
    {
        var cache = CreateCache();
        await Inspector.StringSetAsync(Prefix() + "foreign", "written by another program");

        Assert.Equal("written by another program"u8.ToArray(), await cache.GetAsync("foreign"));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, false, 0)]    // bare: Get hands back the client's own array
    [InlineData(new byte[] { 0xAE, 1 }, false, 2)]    // starts with the marker: keeps its header
    [InlineData(new byte[0], false, 2)]               // empty: a bare header, never confused with a missing key
    [InlineData(new byte[] { 1, 2, 3 }, true, 10)]    // sliding: the header carries the window
    public async Task AnEntry_IsStoredBare_UnlessItSlides_IsEmpty_OrStartsWithTheMarker(byte[] value, bool sliding, int headerLength)
    {
        var variant = Convert.ToHexString(value) + sliding;
        var cache = CreateCache(variant: variant);
        DistributedCacheEntryOptions options = sliding
            ? new() { SlidingExpiration = TimeSpan.FromMinutes(1) }
            : new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) };

        await cache.SetAsync("entry", value, options);

        var stored = (byte[]?)await Inspector.StringGetAsync(Prefix(variant) + "entry");
        Assert.Equal(value.Length + headerLength, stored!.Length);
        Assert.Equal(value, stored[headerLength..]);
        Assert.Equal(value, await cache.GetAsync("entry"));
        Assert.Equal(value, cache.Get("entry"));
    }

    [Fact]
    public async Task InstanceName_PrefixesEveryKey_SoTwoAppsDoNotShareEntries()
    {
        var first = CreateCache(variant: "first");
        var second = CreateCache(variant: "second");

        await first.SetAsync("shared-name", [1], OneMinute);
        await second.SetAsync("shared-name", [2], OneMinute);

        Assert.Equal([1], await first.GetAsync("shared-name"));
        Assert.Equal([2], await second.GetAsync("shared-name"));
        Assert.True(await Inspector.KeyExistsAsync(Prefix("first") + "shared-name"));
    }

    [Fact]
    public async Task ParallelCallers_EachGetWhatTheyWrote()
    {
        var cache = CreateCache();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var value = Bytes(100 + i, seed: i);
            await cache.SetAsync($"k{i}", value, OneMinute);
            Assert.Equal(value, await cache.GetAsync($"k{i}"));
        }));
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Of(byte[] value, int size)
        {
            var first = new Segments(value.AsMemory(0, size), 0);
            var last = first;
            for (var offset = size; offset < value.Length; offset += size)
            {
                var next = new Segments(value.AsMemory(offset, Math.Min(size, value.Length - offset)), offset);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
