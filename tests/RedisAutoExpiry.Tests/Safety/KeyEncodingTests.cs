using RedisAutoExpiry.OutputCaching;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Safety;

/// <summary>
/// Redis keys are UTF-8, where an unpaired surrogate becomes U+FFFD: "a\uD800" would be stored as "a\uFFFD", another
/// key. Such keys are refused, so no write can land on another entry.
/// </summary>
public sealed class KeyEncodingTests : RedisTestBase
{
    // Built in code: attribute arguments are stored as UTF-8, which would turn the surrogate into U+FFFD already.
    [Theory]
    [InlineData("a", 0xD800, "")]
    [InlineData("", 0xDC00, "b")]
    [InlineData("\U0001F600", 0xD800, "")]
    public async Task AKeyWithAnUnpairedSurrogate_IsRefused_AndTheKeyItWouldBecomeIsUntouched(string before, int surrogate, string after)
    {
        var key = before + (char)surrogate + after;
        var cache = CreateCache(variant: $"{surrogate:X}{before.Length}{after.Length}");
        var twin = System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(key)); // what Redis would be sent
        Assert.NotEqual(key, twin);
        await cache.SetAsync(twin, [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });

        await Assert.ThrowsAsync<ArgumentException>(() => cache.SetAsync(key, [2], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) }));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.GetAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.RemoveAsync(key));
        Assert.Throws<ArgumentException>(() => cache.Refresh(key));

        Assert.Equal([1], await cache.GetAsync(twin));
    }

    [Fact]
    public async Task KeysWithSurrogatePairs_AndBothFormsOfAnAccent_AreDistinctEntries()
    {
        var cache = CreateCache();
        string[] keys = ["\U0001F600", "caf\u00E9", "cafe\u0301", "\uFFFD"];
        for (var i = 0; i < keys.Length; i++)
        {
            await cache.SetAsync(keys[i], [(byte)i], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        }

        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(new[] { (byte)i }, await cache.GetAsync(keys[i]));
        }
    }

    [Fact]
    public async Task TheOutputCache_NeitherStoresNorLooksUp_AKeyWithAnUnpairedSurrogate()
    {
        var cache = CreateCache(o => o.Resilience.OutputCacheTimeout = TestOperationTimeout);
        var store = new RedisAutoExpiryOutputCacheStore(cache);
        var unpaired = "GET/" + (char)0xD800;
        await store.SetAsync("GET/\uFFFD", [1], null, TimeSpan.FromMinutes(1), default);

        await store.SetAsync(unpaired, [2], null, TimeSpan.FromMinutes(1), default); // served uncached, not failed

        Assert.Null(await store.GetAsync(unpaired, default));
        Assert.Equal([1], await store.GetAsync("GET/\uFFFD", default));
    }
}
