using System.Net;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.OutputCaching;

/// <summary>What [CacheFor] stores in Redis, for how long, and under which keys and tags.</summary>
public sealed class CacheForStorageTests : OutputCacheTestBase
{
    [Fact]
    public async Task SecondGet_IsServedFromRedis_WhichHoldsItForTheDeclaredSeconds()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var miss = await GetAsync(client, "/pages/plain");
        var hit = await GetAsync(client, "/pages/plain");

        AssertStatus(HttpStatusCode.OK, hit);
        Assert.Equal(Render(miss), Render(hit));
        Assert.Equal(await miss.Content.ReadAsStringAsync(), await hit.Content.ReadAsStringAsync());
        var key = Assert.Single(await StoredResponseKeysAsync());
        var ttl = await PttlAsync(key);
        Assert.InRange(ttl, 25_000, 30_000);
    }

    [Fact]
    public async Task Entry_ExpiresInRedisAfterItsSeconds_AndTheNextRequestRendersAgain()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var first = Render(await GetAsync(client, "/pages/short"));
        foreach (var key in await StoredResponseKeysAsync())
        {
            // Gone already after a stall of over a second, which is fine; while there, its TTL is the declared one.
            var ttl = await PttlAsync(key);
            Assert.True(ttl is -2 or (>= 0 and <= 1_000), $"PTTL {ttl}");
        }

        await EventuallyAsync(async () => Render(await GetAsync(client, "/pages/short")) != first, TimeSpan.FromSeconds(5),
            "a 1 s response is rendered again once Redis has expired it");
    }

    [Fact]
    public async Task VaryByQuery_KeysOnlyTheNamedQueryKeys()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var page1 = Render(await GetAsync(client, "/pages/by-query?page=1&utm=a"));

        Assert.Equal(page1, Render(await GetAsync(client, "/pages/by-query?page=1&utm=b")));
        Assert.NotEqual(page1, Render(await GetAsync(client, "/pages/by-query?page=2&utm=a")));
    }

    [Fact]
    public async Task WithoutVaryByQuery_EveryQueryStringIsItsOwnEntry()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var a = Render(await GetAsync(client, "/pages/plain?x=1"));

        Assert.Equal(a, Render(await GetAsync(client, "/pages/plain?x=1")));
        Assert.NotEqual(a, Render(await GetAsync(client, "/pages/plain?x=2")));
    }

    [Fact]
    public async Task VaryByHeader_KeepsOneEntryPerHeaderValue_AndListsTheHeaderInVary()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var eu = await GetAsync(client, "/pages/by-header", ("X-Region", "eu"));
        var euAgain = await GetAsync(client, "/pages/by-header", ("X-Region", "eu"));
        var us = await GetAsync(client, "/pages/by-header", ("X-Region", "us"));

        Assert.Equal(Render(eu), Render(euAgain));
        Assert.NotEqual(Render(eu), Render(us));
        Assert.Equal("region us, render " + Render(us), await us.Content.ReadAsStringAsync());
        Assert.Equal("X-Region", Header(eu, "Vary"));
        Assert.Equal("X-Region", Header(euAgain, "Vary"));
    }

    [Fact]
    public async Task VaryOnACommonHeader_SurvivesOnHits()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var miss = await GetAsync(client, "/pages/by-encoding", ("Accept-Encoding", "gzip"));
        var hit = await GetAsync(client, "/pages/by-encoding", ("Accept-Encoding", "gzip"));

        Assert.Equal(Render(miss), Render(hit));
        Assert.Equal("Accept-Encoding", Header(miss, "Vary"));
        Assert.Equal("Accept-Encoding", Header(hit, "Vary"));
    }

    [Fact]
    public async Task VaryByRouteValue_AndTagTemplates_UseTheRouteValues()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var book = Render(await GetAsync(client, "/pages/by-route/book/dune"));
        Assert.Equal(book, Render(await GetAsync(client, "/pages/by-route/book/dune")));
        var film = Render(await GetAsync(client, "/pages/by-route/film/dune"));

        Assert.Single(await TagMembersAsync("kind:book"));
        Assert.Single(await TagMembersAsync("kind:film"));
        await EvictAsync(app, "kind:book");
        Assert.NotEqual(book, Render(await GetAsync(client, "/pages/by-route/book/dune")));
        Assert.Equal(film, Render(await GetAsync(client, "/pages/by-route/film/dune")));
    }

    [Fact]
    public async Task TagTemplates_EvictOneProduct_AndLeaveTheOthers()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var one = Render(await GetAsync(client, "/products/1"));
        var two = Render(await GetAsync(client, "/products/2"));

        Assert.Single(await TagMembersAsync("product:1"));
        Assert.Equal(2, (await TagMembersAsync("catalog")).Length);
        await EvictAsync(app, "product:1");

        Assert.NotEqual(one, Render(await GetAsync(client, "/products/1")));
        Assert.Equal(two, Render(await GetAsync(client, "/products/2")));
    }

    [Fact]
    public async Task TagTemplate_WhoseRouteValueIsMissing_LeavesTheResponseUncached()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var without = Render(await GetAsync(client, "/pages/optional"));
        Assert.NotEqual(without, Render(await GetAsync(client, "/pages/optional")));

        var with = Render(await GetAsync(client, "/pages/optional/5"));
        Assert.Equal(with, Render(await GetAsync(client, "/pages/optional/5")));
        Assert.Single(await StoredResponseKeysAsync());
        Assert.Contains(CacheLog.Entries, e => e.Id.Id == 16 && e.Message.Contains("optional:{id}"));
    }

    [Fact]
    public async Task EveryStoredResponse_CarriesItsPathTag_WhichEvictsAllItsQueryStringsAndCasings()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var x1 = Render(await GetAsync(client, "/pages/plain?x=1"));
        var x2 = Render(await GetAsync(client, "/pages/plain?x=2"));
        var other = Render(await GetAsync(client, "/products/1"));

        // Paths are case-insensitive by default: /Pages/Plain is the same entry, under the same tag.
        Assert.Equal(x1, Render(await GetAsync(client, "/Pages/Plain?x=1")));
        Assert.Equal(2, (await TagMembersAsync("path:localhost/pages/plain")).Length);
        Assert.Single(await TagMembersAsync("path:localhost/products/1"));

        await EvictAsync(app, "path:localhost/pages/plain");

        Assert.NotEqual(x1, Render(await GetAsync(client, "/pages/plain?x=1")));
        Assert.NotEqual(x2, Render(await GetAsync(client, "/pages/plain?x=2")));
        Assert.Equal(other, Render(await GetAsync(client, "/products/1")));
    }

    [Fact]
    public async Task TheFrameworksOwnCacheOutput_StoresInRedis_WithItsTagsAndThePathTag()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var first = Render(await GetAsync(client, "/builtin/1"));

        Assert.Equal(first, Render(await GetAsync(client, "/builtin/1")));
        Assert.Single(await TagMembersAsync("builtin"));
        Assert.Single(await TagMembersAsync("path:localhost/builtin/1"));
    }

    [Fact]
    public async Task ADeclarationThatDeclines_LeavesAnotherPolicyOnTheEndpointToCache()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var first = await GetAsync(client, "/mixed");
        var second = await GetAsync(client, "/mixed");

        AssertStatus(HttpStatusCode.OK, second);
        Assert.Equal(Render(first), Render(second));
        Assert.Null(Header(second, "Cache-Control"));
    }

    [Fact]
    public async Task AnEntryFromAServerWhoseClockIsAhead_IsRenderedAgain_AndNotOverwritten()
    {
        // Two instances share Redis; the writer's clock runs 5 s ahead, so to the reader the entry is from the future,
        // which the middleware does not serve.
        // OutputCacheOptions.TimeProvider is internal: the test reaches it by reflection.
        var clock = typeof(OutputCacheOptions).GetProperty("TimeProvider", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)
            ?? throw new InvalidOperationException("OutputCacheOptions.TimeProvider is gone: adapt this test to the framework.");
        await using var writer = CreateApp(services => services.AddOutputCache(o => clock.SetValue(o, new Testing.SkewedTimeProvider(TimeSpan.FromSeconds(5)))));
        await using var reader = CreateApp();
        var stored = await GetAsync(writer.CreateClient(), "/pages/plain");

        var rendered = await GetAsync(reader.CreateClient(), "/pages/plain");

        // Rendered without the counter that proves a body whole, so not stored, and like any response not stored it
        // carries none of our caching headers; the writer's entry stays.
        AssertStatus(HttpStatusCode.OK, rendered);
        Assert.Null(Header(rendered, "Age"));
        Assert.Null(Header(rendered, "Cache-Control"));
        Assert.Null(Header(rendered, "ETag"));
        Assert.Equal(Header(stored, "ETag"), Header(await GetAsync(writer.CreateClient(), "/pages/plain"), "ETag"));
    }

    [Fact]
    public async Task TwoHosts_NeverShareAnEntry()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var a = Render(await GetAsync(client, "http://tenant-a.example/pages/plain"));
        var b = Render(await GetAsync(client, "http://tenant-b.example/pages/plain"));

        Assert.NotEqual(a, b);
        Assert.Equal(a, Render(await GetAsync(client, "http://tenant-a.example/pages/plain")));
        Assert.Equal(b, Render(await GetAsync(client, "http://TENANT-B.example/pages/plain")));
        Assert.Single(await TagMembersAsync("path:tenant-a.example/pages/plain"));
        Assert.Single(await TagMembersAsync("path:tenant-b.example/pages/plain"));
    }

    [Fact]
    public async Task HttpAndHttps_AreSeparateEntries_UnderOnePathTag()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var http = Render(await GetAsync(client, "http://shop.example/pages/plain"));
        var https = Render(await GetAsync(client, "https://shop.example/pages/plain"));

        Assert.NotEqual(http, https);
        Assert.Equal(https, Render(await GetAsync(client, "https://shop.example/pages/plain")));
        Assert.Equal(2, (await TagMembersAsync("path:shop.example/pages/plain")).Length);
    }

    [Fact]
    public async Task Head_IsCached_ApartFromGet()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var head = await SendAsync(client, HttpMethod.Head, "/products/3");
        var headAgain = await SendAsync(client, HttpMethod.Head, "/products/3");
        var get = await GetAsync(client, "/products/3");

        AssertStatus(HttpStatusCode.OK, headAgain);
        Assert.Equal(Render(head), Render(headAgain));
        Assert.NotEqual(Render(head), Render(get));
        Assert.Equal(2, (await StoredResponseKeysAsync()).Length);
    }

    [Fact]
    public async Task Post_IsNeverCached()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var first = await SendAsync(client, HttpMethod.Post, "/minimal-any/1");
        var second = await SendAsync(client, HttpMethod.Post, "/minimal-any/1");

        Assert.NotEqual(Render(first), Render(second));
        Assert.Null(Header(first, "Cache-Control"));
        Assert.Empty(await StoredResponseKeysAsync());
    }

    [Fact]
    public async Task ControllerDeclaration_CoversItsActions_AndAnActionsOwnReplacesIt()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var list = Render(await GetAsync(client, "/products/list"));
        Assert.Equal(list, Render(await GetAsync(client, "/products/list")));
        await GetAsync(client, "/products/9");

        Assert.Single(await TagMembersAsync("products"));
        Assert.Single(await TagMembersAsync("product:9"));

        var live = await GetAsync(client, "/products/live");
        Assert.NotEqual(Render(live), Render(await GetAsync(client, "/products/live")));
        Assert.Null(Header(live, "Cache-Control"));
        Assert.Null(Header(live, "ETag"));
    }

    [Fact]
    public async Task MinimalApi_CacheFor_CachesAndTagsLikeTheAttribute()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var miss = await GetAsync(client, "/minimal/7");
        var hit = await GetAsync(client, "/minimal/7");

        Assert.Equal(Render(miss), Render(hit));
        Assert.Equal("no-cache", Header(hit, "Cache-Control"));
        Assert.Single(await TagMembersAsync("item:7"));
        await EvictAsync(app, "item:7");
        Assert.NotEqual(Render(miss), Render(await GetAsync(client, "/minimal/7")));
    }

    [Fact]
    public async Task OutputCacheEntries_AndDistributedCacheEntries_ShareTagsButNeverKeys()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var tagged = app.Services.GetRequiredService<ITaggedDistributedCache>();
        var page = Render(await GetAsync(client, "/products/4"));
        await tagged.SetAsync("product-data:4", [1, 2, 3], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) }, ["product:4"]);

        Assert.Equal(2, await tagged.EvictByTagAsync("product:4"));

        Assert.Null(await tagged.GetAsync("product-data:4"));
        Assert.NotEqual(page, Render(await GetAsync(client, "/products/4")));
    }

    [Fact]
    public async Task RedisDown_RequestsAreStillServed()
    {
        // Nothing listens on the port of a server that has gone.
        var gone = await Testing.RedisServer.StartAsync();
        var connection = gone.ConnectionString("connectTimeout=300,syncTimeout=300");
        await gone.DisposeAsync();
        await using var app = CreateApp(connection: connection);
        var client = app.CreateClient();

        var first = await GetAsync(client, "/pages/plain");
        var second = await GetAsync(client, "/pages/plain");

        AssertStatus(HttpStatusCode.OK, first);
        AssertStatus(HttpStatusCode.OK, second);
        Assert.NotEqual(Render(first), Render(second));
    }
}
