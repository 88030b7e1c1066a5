using System.Net;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.OutputCaching;

/// <summary>The Cache-Control, ETag, Age and 304s that one [CacheFor] declaration gives clients.</summary>
public sealed class HttpCachingHeadersTests : OutputCacheTestBase
{
    [Fact]
    public async Task ByDefault_ClientsMustRevalidate_AndTheHitRepeatsTheStoredETag()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var miss = await GetAsync(client, "/pages/plain");
        var hit = await GetAsync(client, "/pages/plain");

        Assert.Equal("no-cache", Header(miss, "Cache-Control"));
        Assert.Equal("no-cache", Header(hit, "Cache-Control"));
        Assert.Matches("^\"[0-9a-f]{32}\"$", Header(miss, "ETag"));
        Assert.Equal(Header(miss, "ETag"), Header(hit, "ETag"));
        Assert.Null(Header(miss, "Age"));
        Assert.NotNull(Header(hit, "Age"));
    }

    [Fact]
    public async Task IfNoneMatch_GetsA304FromTheCache_WithAgeCacheControlAndETag()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var miss = await GetAsync(client, "/pages/plain");
        var etag = Header(miss, "ETag")!;

        var notModified = await GetAsync(client, "/pages/plain", ("If-None-Match", etag));

        AssertStatus(HttpStatusCode.NotModified, notModified);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, Header(notModified, "ETag"));
        Assert.Equal("no-cache", Header(notModified, "Cache-Control"));
        Assert.NotNull(Header(notModified, "Age"));
        Assert.Null(Header(notModified, "X-Render"));
    }

    [Fact]
    public async Task AfterAnEviction_TheOldETagGetsTheNewResponse()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var before = await GetAsync(client, "/products/5");

        await EvictAsync(app, "product:5");
        var after = await GetAsync(client, "/products/5", ("If-None-Match", Header(before, "ETag")!));

        AssertStatus(HttpStatusCode.OK, after);
        Assert.NotEqual(Render(before), Render(after));
        Assert.NotEqual(Header(before, "ETag"), Header(after, "ETag"));
    }

    [Fact]
    public async Task AnActionsOwnETag_IsKept_AndRevalidatesToA304()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var miss = await GetAsync(client, "/pages/own-etag");
        var notModified = await GetAsync(client, "/pages/own-etag", ("If-None-Match", "\"v1\""));

        Assert.Equal("\"v1\"", Header(miss, "ETag"));
        AssertStatus(HttpStatusCode.NotModified, notModified);
    }

    [Fact]
    public async Task OptInClientCaching_MaxAgeMinusAge_IsWhatRedisStillHolds()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var miss = await GetAsync(client, "/pages/public");
        Assert.Equal("public, max-age=30", Header(miss, "Cache-Control"));
        Assert.Null(Header(miss, "Age"));
        var key = Assert.Single(await StoredResponseKeysAsync());

        // Wait (by polling hits) until the entry is at least a second old, so Age says something.
        HttpResponseMessage hit = null!;
        await EventuallyAsync(async () =>
        {
            hit = await GetAsync(client, "/pages/public");
            return long.Parse(Header(hit, "Age")!) >= 1;
        }, TimeSpan.FromSeconds(5), "the cached response grows an Age");
        var serverRemaining = await PttlAsync(key) / 1000.0;

        Assert.Equal(Render(miss), Render(hit));
        Assert.Equal("public, max-age=30", Header(hit, "Cache-Control"));
        var clientRemaining = 30 - long.Parse(Header(hit, "Age")!);
        Assert.InRange(clientRemaining - serverRemaining, -1.5, 1.5);
    }

    [Fact]
    public async Task OptInClientCaching_304sCarryTheSameCacheControlAndAnAge()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var miss = await GetAsync(client, "/pages/public");

        HttpResponseMessage notModified = null!;
        await EventuallyAsync(async () =>
        {
            notModified = await GetAsync(client, "/pages/public", ("If-None-Match", Header(miss, "ETag")!));
            return long.Parse(Header(notModified, "Age")!) >= 1;
        }, TimeSpan.FromSeconds(5), "the 304 grows an Age");

        AssertStatus(HttpStatusCode.NotModified, notModified);
        Assert.Equal("public, max-age=30", Header(notModified, "Cache-Control"));
        Assert.Equal(Header(miss, "ETag"), Header(notModified, "ETag"));
    }

    [Fact]
    public async Task Location_Client_IsPrivate_WithTheServersDurationAsMaxAge()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var miss = await GetAsync(client, "/pages/private");
        var hit = await GetAsync(client, "/pages/private");

        Assert.Equal("private, max-age=20", Header(miss, "Cache-Control"));
        Assert.Equal(Render(miss), Render(hit));
        Assert.Equal($"private, max-age={20}", Header(hit, "Cache-Control"));
    }

    [Fact]
    public async Task AShorterClientDuration_LetsClientsKeepEachResponseThatLong_FromWhenTheyGetIt()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var miss = await GetAsync(client, "/pages/shorter-client");
        Assert.Equal("private, max-age=10", Header(miss, "Cache-Control"));

        HttpResponseMessage hit = null!;
        await EventuallyAsync(async () =>
        {
            hit = await GetAsync(client, "/pages/shorter-client");
            return long.Parse(Header(hit, "Age")!) >= 1;
        }, TimeSpan.FromSeconds(5), "the cached response grows an Age");

        // max-age − Age stays 10: a client keeps what it just got for ClientDuration, well within Redis's 30 s.
        var age = long.Parse(Header(hit, "Age")!);
        Assert.Equal($"private, max-age={age + 10}", Header(hit, "Cache-Control"));
        var notModified = await GetAsync(client, "/pages/shorter-client", ("If-None-Match", Header(miss, "ETag")!));
        AssertStatus(HttpStatusCode.NotModified, notModified);
        Assert.Equal($"private, max-age={long.Parse(Header(notModified, "Age")!) + 10}", Header(notModified, "Cache-Control"));
    }

    [Fact]
    public async Task HeadersTheActionRemoved_StayAwayOnHitsAnd304s()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var miss = await GetAsync(client, "/pages/bare");
        var hit = await GetAsync(client, "/pages/bare");

        Assert.Equal(Render(miss), Render(hit));
        Assert.Null(Header(miss, "Cache-Control"));
        Assert.Null(Header(hit, "Cache-Control"));
        Assert.Null(Header(hit, "ETag"));
    }

    [Fact]
    public async Task AnActionsOwn304_GetsNoneOfOurHeaders()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var response = await GetAsync(client, "/pages/own-304");

        AssertStatus(HttpStatusCode.NotModified, response);
        Assert.Null(Header(response, "Cache-Control"));
        Assert.Null(Header(response, "ETag"));
        Assert.Null(Header(response, "Age"));
    }

    [Fact]
    public async Task OnlyIfCached_WithNothingCached_Gets504_WithoutCachingHeaders()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var response = await GetAsync(client, "/pages/public", ("Cache-Control", "only-if-cached"));

        AssertStatus(HttpStatusCode.GatewayTimeout, response);
        Assert.Null(Header(response, "Cache-Control"));
        Assert.Null(Header(response, "ETag"));
    }
}
