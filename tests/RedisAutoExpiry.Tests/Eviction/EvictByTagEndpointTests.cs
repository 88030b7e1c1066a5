using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Eviction;

/// <summary><c>DELETE /cache/tags/{**tag}</c> and <c>POST /cache/evictions</c> against real Redis.</summary>
public sealed class EvictByTagEndpointTests : EvictionTestBase
{
    [Fact]
    public async Task DeleteTag_EvictsEveryResponseCarryingIt_AndAnswersTheCount()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var one = Render(await GetAsync(client, "/products/1"));
        var two = Render(await GetAsync(client, "/products/2"));
        var list = Render(await GetAsync(client, "/products/list"));

        var answer = await JsonAsync(await DeleteAsync(client, "/cache/tags/catalog", Admin));

        Assert.Equal("catalog", answer.GetProperty("tag").GetString());
        Assert.Equal(2, answer.GetProperty("evicted").GetInt64());
        Assert.NotEqual(one, Render(await GetAsync(client, "/products/1")));
        Assert.NotEqual(two, Render(await GetAsync(client, "/products/2")));
        Assert.Equal(list, Render(await GetAsync(client, "/products/list")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeleteTag_ContainingSlashes_EvictsThatTag_WhetherTheSlashesAreEncodedOrNot(bool kestrel)
    {
        await using var app = CreateApp(test: $"{nameof(DeleteTag_ContainingSlashes_EvictsThatTag_WhetherTheSlashesAreEncodedOrNot)}{kestrel}");
        if (kestrel)
        {
            app.UseKestrel(0);
        }

        var client = app.CreateClient();
        var host = client.BaseAddress!.Authority;
        var first = Render(await GetAsync(client, "/pages/plain"));

        var plain = await JsonAsync(await DeleteAsync(client, $"/cache/tags/path:{host}/pages/plain", Admin));
        var second = Render(await GetAsync(client, "/pages/plain"));
        var encoded = await JsonAsync(await DeleteAsync(client, "/cache/tags/" + Uri.EscapeDataString($"path:{host}/pages/plain"), Admin));

        Assert.Equal(($"path:{host}/pages/plain", 1L), (plain.GetProperty("tag").GetString(), plain.GetProperty("evicted").GetInt64()));
        Assert.NotEqual(first, second);
        Assert.Equal(($"path:{host}/pages/plain", 1L), (encoded.GetProperty("tag").GetString(), encoded.GetProperty("evicted").GetInt64()));
    }

    [Fact]
    public async Task DeleteTag_IsExact_ForATagThatHoldsAnEscapeSequenceItself()
    {
        // Kestrel turns %25 into % but keeps %2F: only the raw request target tells "a%252Fb" from "a%2Fb".
        await using var app = CreateApp();
        app.UseKestrel(0);
        var cache = app.Services.GetRequiredService<ITaggedDistributedCache>();
        var options = new Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) };
        await cache.SetAsync("literal", [1], options, ["a%2Fb é"]);
        await cache.SetAsync("slash", [2], options, ["a/b é"]);
        var client = app.CreateClient();

        var answer = await JsonAsync(await DeleteAsync(client, "/cache/tags/" + Uri.EscapeDataString("a%2Fb é"), Admin));

        Assert.Equal("a%2Fb é", answer.GetProperty("tag").GetString());
        Assert.Equal(1, answer.GetProperty("evicted").GetInt64());
        Assert.Null(await cache.GetAsync("literal"));
        Assert.Equal([2], await cache.GetAsync("slash"));
    }

    [Fact]
    public async Task EvictionOnOneInstance_IsSeenAtOnceByAnotherOnTheSameRedis()
    {
        await using var first = CreateApp();
        await using var second = CreateApp();
        var firstClient = first.CreateClient();
        var secondClient = second.CreateClient();
        var secondRenders = second.Services.GetRequiredService<RedisAutoExpiry.TestWebApp.RenderCounter>();
        var stored = await (await GetAsync(firstClient, "/products/1")).Content.ReadAsStringAsync();
        Assert.Equal(stored, await (await GetAsync(secondClient, "/products/1")).Content.ReadAsStringAsync());
        Assert.Equal(0, secondRenders.Renders);

        await JsonAsync(await DeleteAsync(firstClient, "/cache/tags/product:1", Admin));
        await GetAsync(secondClient, "/products/1");

        Assert.Equal(1, secondRenders.Renders);
    }

    [Fact]
    public async Task PostEvictions_EvictsEachTag_AndAnswersTheCountPerTag()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        await GetAsync(client, "/products/1");
        await GetAsync(client, "/products/2");
        await GetAsync(client, "/products/list");

        var answer = await JsonAsync(await PostJsonAsync(client, "/cache/evictions", """{"tags": ["product:1", "products", "catalog", "none"]}""", Admin));

        var counts = answer.GetProperty("tags").EnumerateArray()
            .Select(t => (t.GetProperty("tag").GetString(), t.GetProperty("evicted").GetInt64())).ToArray();
        Assert.Equal([("product:1", 1L), ("products", 1L), ("catalog", 1L), ("none", 0L)], counts);
        Assert.Equal(3, answer.GetProperty("evicted").GetInt64());
        Assert.Empty(await StoredResponseKeysAsync());
    }

    [Fact]
    public async Task PostEvictions_NamingATagTwice_EvictsItOnce()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        await GetAsync(client, "/products/1");

        var answer = await JsonAsync(await PostJsonAsync(client, "/cache/evictions", """{"tags": ["catalog", "catalog"]}""", Admin));

        Assert.Equal(1, answer.GetProperty("tags").GetArrayLength());
        Assert.Equal(1, answer.GetProperty("evicted").GetInt64());
    }

    [Fact]
    public async Task Evictions_AreLogged_WithTheUserWhoAskedForThem()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        await JsonAsync(await DeleteAsync(client, "/cache/tags/catalog", Admin));

        Assert.Contains(CacheLog.MessagesOf(20), m => m.Contains("\"catalog\"") && m.Contains("admin"));
    }
}
