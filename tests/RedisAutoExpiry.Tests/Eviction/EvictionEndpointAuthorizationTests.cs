using System.Net;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Eviction;

/// <summary>Eviction is refused unless the app authorized the caller, or explicitly let anyone evict.</summary>
public sealed class EvictionEndpointAuthorizationTests : EvictionTestBase
{
    public static TheoryData<string, string> Calls => new()
    {
        { "DELETE", "/cache/tags/catalog" },
        { "POST", "/cache/evictions" },
        { "DELETE", "/cache/entries?url=/products/1" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task AnonymousCaller_Gets401_AndNothingIsEvicted(string method, string url)
    {
        await using var app = CreateApp(test: $"{nameof(AnonymousCaller_Gets401_AndNothingIsEvicted)}-{method}-{url.Length}");
        var client = app.CreateClient();
        var cached = Render(await GetAsync(client, "/products/1"));

        var response = await CallAsync(client, method, url);

        AssertStatus(HttpStatusCode.Unauthorized, response);
        Assert.Equal(cached, Render(await GetAsync(client, "/products/1")));
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task CallerOutsideThePolicy_Gets403_AndNothingIsEvicted(string method, string url)
    {
        await using var app = CreateApp(test: $"{nameof(CallerOutsideThePolicy_Gets403_AndNothingIsEvicted)}-{method}-{url.Length}");
        var client = app.CreateClient();
        var cached = Render(await GetAsync(client, "/products/1"));

        var response = await CallAsync(client, method, url, ("X-Test-User", "mallory"));

        AssertStatus(HttpStatusCode.Forbidden, response);
        Assert.Equal(cached, Render(await GetAsync(client, "/products/1")));
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task CallerInThePolicy_Evicts(string method, string url)
    {
        await using var app = CreateApp(test: $"{nameof(CallerInThePolicy_Evicts)}-{method}-{url.Length}");
        var client = app.CreateClient();
        var cached = Render(await GetAsync(client, "/products/1"));

        await JsonAsync(await CallAsync(client, method, url, Admin));

        Assert.NotEqual(cached, Render(await GetAsync(client, "/products/1")));
    }

    [Fact]
    public async Task PolicyOnAnEnclosingGroup_Counts()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();

        AssertStatus(HttpStatusCode.Unauthorized, await DeleteAsync(client, "/admin/cache/tags/catalog"));
        await JsonAsync(await DeleteAsync(client, "/admin/cache/tags/catalog", Admin));
    }

    [Fact]
    public async Task EndpointTheAppNeitherSecuredNorOpened_RefusesEveryone_AndSaysWhyInTheLog()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var cached = Render(await GetAsync(client, "/products/1"));

        await ProblemAsync(await DeleteAsync(client, "/undeclared-cache/tags/catalog"), HttpStatusCode.Unauthorized);
        await ProblemAsync(await DeleteAsync(client, "/undeclared-cache/tags/catalog", Admin), HttpStatusCode.Unauthorized);

        Assert.Equal(cached, Render(await GetAsync(client, "/products/1")));
        Assert.Contains("RequireAuthorization", Assert.Single(CacheLog.MessagesOf(19)));
    }

    [Fact]
    public async Task EndpointOpenedExplicitly_LetsAnyoneEvict()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        await GetAsync(client, "/products/1");

        var answer = await JsonAsync(await DeleteAsync(client, "/open-cache/tags/catalog"));

        Assert.Equal(1, answer.GetProperty("evicted").GetInt64());
    }

    private static Task<HttpResponseMessage> CallAsync(HttpClient client, string method, string url, params (string Name, string Value)[] headers) =>
        method == "POST"
            ? PostJsonAsync(client, url, """{"tags": ["catalog"]}""", headers)
            : SendAsync(client, new HttpMethod(method), url, headers);
}
