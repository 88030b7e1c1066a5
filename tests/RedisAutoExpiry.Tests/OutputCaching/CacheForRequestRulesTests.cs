using System.Net;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.OutputCaching;

/// <summary>Which requests and responses [CacheFor] keeps out of the cache, and what clients are told then.</summary>
public sealed class CacheForRequestRulesTests : OutputCacheTestBase
{
    [Fact]
    public async Task AuthorizationHeader_BypassesTheCache_AndGetsNoCachingHeaders()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var anonymous = Render(await GetAsync(client, "/pages/plain"));

        var first = await GetAsync(client, "/pages/plain", ("Authorization", "Bearer abc"));
        var second = await GetAsync(client, "/pages/plain", ("Authorization", "Bearer abc"));

        Assert.NotEqual(anonymous, Render(first));
        Assert.NotEqual(Render(first), Render(second));
        Assert.Null(Header(first, "Cache-Control"));
        Assert.Null(Header(first, "ETag"));
        Assert.Single(await StoredResponseKeysAsync());
    }

    [Fact]
    public async Task AuthenticatedUser_WithoutAnAuthorizationHeader_BypassesTheCache()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var anonymous = Render(await GetAsync(client, "/pages/plain"));

        var signedIn = await GetAsync(client, "/pages/plain", ("X-Test-User", "ada"));

        Assert.NotEqual(anonymous, Render(signedIn));
        Assert.NotEqual(Render(signedIn), Render(await GetAsync(client, "/pages/plain", ("X-Test-User", "ada"))));
    }

    [Fact]
    public async Task CacheAuthenticatedRequests_SharesOneEntryWithEveryUser()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var ada = Render(await GetAsync(client, "/pages/shared", ("X-Test-User", "ada")));

        Assert.Equal(ada, Render(await GetAsync(client, "/pages/shared", ("Authorization", "Bearer x"))));
        Assert.Equal(ada, Render(await GetAsync(client, "/pages/shared")));
    }

    [Fact]
    public async Task ResponseSettingACookie_IsNotStored_AndTellsNoOneToKeepIt()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var first = await GetAsync(client, "/pages/cookie");
        var second = await GetAsync(client, "/pages/cookie");

        Assert.NotEqual(Render(first), Render(second));
        Assert.NotNull(Header(first, "Set-Cookie"));
        Assert.Null(Header(first, "Cache-Control"));
        Assert.Null(Header(first, "ETag"));
        Assert.Empty(await StoredResponseKeysAsync());
    }

    [Fact]
    public async Task Non200_IsNotStored_AndTellsNoOneToKeepIt()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var first = await GetAsync(client, "/pages/missing");
        var second = await GetAsync(client, "/pages/missing");

        AssertStatus(HttpStatusCode.NotFound, first);
        Assert.NotEqual(Render(first), Render(second));
        Assert.Null(Header(first, "Cache-Control"));
        Assert.Empty(await StoredResponseKeysAsync());
    }

    [Fact]
    public async Task AnActionsOwnNoStore_IsHonoured()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var first = await GetAsync(client, "/pages/no-store");

        Assert.NotEqual(Render(first), Render(await GetAsync(client, "/pages/no-store")));
        Assert.Equal("no-store", Header(first, "Cache-Control"));
        Assert.Null(Header(first, "ETag"));
        Assert.Empty(await StoredResponseKeysAsync());
    }

    [Fact]
    public async Task CacheableStatusCodes_StoresTheStatusesListed()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var first = await GetAsync(client, "/pages/missing-cached");
        var second = await GetAsync(client, "/pages/missing-cached");

        AssertStatus(HttpStatusCode.NotFound, second);
        Assert.Equal(Render(first), Render(second));
        Assert.Equal("no-cache", Header(second, "Cache-Control"));
    }

    [Fact]
    public async Task BodiesOverTheLimit_AreServedButNotStored()
    {
        await using var app = CreateApp(services => services.AddOutputCache(options => options.MaximumBodySize = 1_000));
        var client = app.CreateClient();

        var large = await GetAsync(client, "/pages/large?size=5000");
        var largeAgain = await GetAsync(client, "/pages/large?size=5000");
        var small = Render(await GetAsync(client, "/pages/large?size=10"));

        Assert.Equal(5000 + ", render ".Length + Render(large).Length, (await large.Content.ReadAsStringAsync()).Length);
        Assert.NotEqual(Render(large), Render(largeAgain));
        Assert.Null(Header(large, "Cache-Control"));
        Assert.Equal(small, Render(await GetAsync(client, "/pages/large?size=10")));
    }

    [Fact]
    public async Task TheBodyLimit_DefaultsToOneMebibyte_AndTheAppsOwnSettingWins()
    {
        await using var defaults = CreateApp();
        await using var own = CreateApp(services => services.AddOutputCache(options => options.MaximumBodySize = 4096), test: "own");

        Assert.Equal(1024 * 1024, defaults.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OutputCacheOptions>>().Value.MaximumBodySize);
        Assert.Equal(4096, own.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OutputCacheOptions>>().Value.MaximumBodySize);
    }

    [Fact]
    public async Task OutputCachingPlacedBeforeAuthentication_CachesNothing_AndSaysWhy()
    {
        await using var app = CreateApp(settings: new Dictionary<string, string> { ["TestPipeline:OutputCache"] = "first" });
        var client = app.CreateClient();

        // A signed-in user whose identity only the authentication middleware would find (as with a cookie): cached
        // here, their page would be served to everyone.
        var ada = await GetAsync(client, "/pages/plain", ("X-Test-User", "ada"));
        var anonymous = await GetAsync(client, "/pages/plain");

        Assert.NotEqual(Render(ada), Render(anonymous));
        Assert.Empty(await StoredResponseKeysAsync());
        Assert.Single(CacheLog.MessagesOf(17));
    }

    [Fact]
    public async Task APathTooLongToTag_IsServedButNotStored()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var path = "/minimal-any/" + new string('p', 300);

        var first = await GetAsync(client, path);

        Assert.NotEqual(Render(first), Render(await GetAsync(client, path)));
        Assert.Empty(await StoredResponseKeysAsync());
        Assert.NotEmpty(CacheLog.MessagesOf(18));
    }

    [Theory]
    [InlineData("first")]
    [InlineData("between")]
    public async Task AnAuthorizedEndpoint_NeverServesItsCachedResponse_PastAuthorization(string place)
    {
        await using var app = CreateApp(settings: new Dictionary<string, string> { ["TestPipeline:OutputCache"] = place },
            test: nameof(AnAuthorizedEndpoint_NeverServesItsCachedResponse_PastAuthorization) + place);
        var client = app.CreateClient();

        AssertStatus(HttpStatusCode.Unauthorized, await GetAsync(client, "/members-only"));
        AssertStatus(HttpStatusCode.OK, await GetAsync(client, "/members-only", ("X-Test-User", "ada")));
        AssertStatus(HttpStatusCode.Unauthorized, await GetAsync(client, "/members-only"));

        Assert.Single(CacheLog.MessagesOf(17));
    }

    [Theory]
    [InlineData("between")]
    [InlineData("last")]
    public async Task AFallbackAuthorizationPolicy_IsNeverSkippedByACachedResponse(string place)
    {
        await using var app = CreateApp(settings: new Dictionary<string, string>
        {
            ["TestPipeline:OutputCache"] = place,
            ["TestPipeline:FallbackRequiresUser"] = "true",
        }, test: nameof(AFallbackAuthorizationPolicy_IsNeverSkippedByACachedResponse) + place);
        var client = app.CreateClient();

        AssertStatus(HttpStatusCode.OK, await GetAsync(client, "/pages/shared", ("X-Test-User", "ada")));
        AssertStatus(HttpStatusCode.OK, await GetAsync(client, "/pages/shared", ("X-Test-User", "ada")));

        AssertStatus(HttpStatusCode.Unauthorized, await GetAsync(client, "/pages/shared"));
    }

    [Fact]
    public async Task AnAuthorizedEndpoint_InTheRightOrder_SharesItsEntryOnlyWithAuthorizedUsers()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var ada = await GetAsync(client, "/members-only", ("X-Test-User", "ada"));
        var bob = await GetAsync(client, "/members-only", ("X-Test-User", "bob"));

        Assert.Equal(Render(ada), Render(bob));
        AssertStatus(HttpStatusCode.Unauthorized, await GetAsync(client, "/members-only"));
        Assert.Empty(CacheLog.MessagesOf(17));
    }

    [Fact]
    public async Task ACookieAddedAsTheResponseStarts_StillWithdrawsTheCachingHeaders()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var first = await GetAsync(client, "/pages/public", ("X-Late-Cookie", "1"));

        Assert.Contains("late=1", Header(first, "Set-Cookie"));
        Assert.Null(Header(first, "Cache-Control"));
        Assert.Null(Header(first, "ETag"));
        Assert.NotEqual(Render(first), Render(await GetAsync(client, "/pages/public")));
    }

    [Fact]
    public async Task AnActionsOwnPrivate_IsNotStored()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var ada = await GetAsync(client, "/pages/private-own", ("X-User", "ada"));
        var bob = await GetAsync(client, "/pages/private-own", ("X-User", "bob"));

        Assert.NotEqual(Render(ada), Render(bob));
        Assert.Equal("private for bob, render " + Render(bob), await bob.Content.ReadAsStringAsync());
        Assert.Empty(await StoredResponseKeysAsync());
    }

    [Fact]
    public async Task AKeyDelimiterInTheQuery_IsNeitherCachedNorShared()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        var responses = await Task.WhenAll(
            GetAsync(client, "/pages/slow?size=5&x=%1E"),
            GetAsync(client, "/pages/slow?size=7&x=%1E"),
            GetAsync(client, "/pages/slow?size=9&u=%1Fsecret"));

        Assert.All(responses.Zip([5, 7, 9]), pair =>
            Assert.StartsWith(new string('s', pair.Second) + ",", pair.First.Content.ReadAsStringAsync().Result));
        Assert.Empty(await StoredResponseKeysAsync());
    }
}
