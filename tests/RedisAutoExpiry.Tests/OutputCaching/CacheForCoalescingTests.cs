using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.OutputCaching;

/// <summary>
/// Concurrent misses for one key wait on the first request (the middleware's locking) and are handed its response:
/// only ever a response that was stored whole.
/// </summary>
public sealed class CacheForCoalescingTests : OutputCacheTestBase
{
    [Fact]
    public async Task ConcurrentMisses_RenderOnce_AndAllGetTheWholeBody()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => GetAsync(client, "/pages/slow?size=50")));

        Assert.Single(responses.Select(Render).Distinct());
        Assert.All(responses, r => Assert.StartsWith(new string('s', 50) + ",", r.Content.ReadAsStringAsync().Result));
    }

    [Theory]
    [InlineData("slow")]
    [InlineData("streamed")]
    public async Task ConcurrentMisses_ForABodyOverTheLimit_EachGetTheWholeBody(string action)
    {
        await using var app = CreateApp(services => services.AddOutputCache(o => o.MaximumBodySize = 1_000),
            test: nameof(ConcurrentMisses_ForABodyOverTheLimit_EachGetTheWholeBody) + action);
        var client = app.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => GetAsync(client, $"/pages/{action}?size=1500")));

        Assert.All(responses, response =>
        {
            AssertStatus(HttpStatusCode.OK, response);
            Assert.True(response.Content.ReadAsByteArrayAsync().Result.Length >= 1500, "every request gets the whole body");
        });
        Assert.Empty(await StoredResponseKeysAsync(nameof(ConcurrentMisses_ForABodyOverTheLimit_EachGetTheWholeBody) + action));
    }

    [Fact]
    public async Task MiddlewareWritingAfterAMiss_StillReachesTheServersOwnWriter()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var miss = await GetAsync(client, "/pages/streamed?size=10", ("X-Tail", "1"));

        Assert.Equal(new string('z', 10) + "|TAIL", await miss.Content.ReadAsStringAsync());
    }
}
