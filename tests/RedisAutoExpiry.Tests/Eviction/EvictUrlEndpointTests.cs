using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Eviction;

/// <summary><c>DELETE /cache/entries?url=…</c>: one URL's cached responses, through its path tag.</summary>
public sealed class EvictUrlEndpointTests : EvictionTestBase
{
    [Theory]
    [InlineData("http://localhost/pages/by-query")]
    [InlineData("https://LOCALHOST/Pages/By-Query?page=9#top")]
    [InlineData("/pages/by-query")]
    public async Task DeleteEntries_EvictsEveryQueryStringOfThatUrl_AndNothingElse(string url)
    {
        await using var app = CreateApp(test: nameof(DeleteEntries_EvictsEveryQueryStringOfThatUrl_AndNothingElse) + url.GetHashCode());
        var client = app.CreateClient();
        var page1 = Render(await GetAsync(client, "/pages/by-query?page=1"));
        var page2 = Render(await GetAsync(client, "/pages/by-query?page=2"));
        var other = Render(await GetAsync(client, "/pages/plain"));

        var answer = await JsonAsync(await DeleteAsync(client, "/cache/entries?url=" + Uri.EscapeDataString(url), Admin));

        Assert.Equal(url, answer.GetProperty("url").GetString());
        Assert.Equal("path:localhost/pages/by-query", answer.GetProperty("tag").GetString());
        Assert.Equal(2, answer.GetProperty("evicted").GetInt64());
        Assert.NotEqual(page1, Render(await GetAsync(client, "/pages/by-query?page=1")));
        Assert.NotEqual(page2, Render(await GetAsync(client, "/pages/by-query?page=2")));
        Assert.Equal(other, Render(await GetAsync(client, "/pages/plain")));
    }

    [Fact]
    public async Task DeleteEntries_OnAnotherHost_LeavesThisHostsResponses()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var cached = Render(await GetAsync(client, "/pages/plain"));

        var answer = await JsonAsync(await DeleteAsync(client, "/cache/entries?url=" + Uri.EscapeDataString("http://shop.example:8080/pages/plain"), Admin));

        Assert.Equal("path:shop.example:8080/pages/plain", answer.GetProperty("tag").GetString());
        Assert.Equal(0, answer.GetProperty("evicted").GetInt64());
        Assert.Equal(cached, Render(await GetAsync(client, "/pages/plain")));
    }

    [Fact]
    public async Task DeleteEntries_DecodesThePathAsTheServerDecodedTheRequest()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var cached = Render(await GetAsync(client, "/products/caf%C3%A9%20noir"));

        var answer = await JsonAsync(await DeleteAsync(client, "/cache/entries?url=" + Uri.EscapeDataString("/products/caf%C3%A9%20noir"), Admin));

        Assert.Equal("path:localhost/products/café noir", answer.GetProperty("tag").GetString());
        Assert.Equal(1, answer.GetProperty("evicted").GetInt64());
        Assert.NotEqual(cached, Render(await GetAsync(client, "/products/caf%C3%A9%20noir")));
    }
}
