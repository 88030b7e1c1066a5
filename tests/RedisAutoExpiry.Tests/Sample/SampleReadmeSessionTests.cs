using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Sample;

/// <summary>The sample answers the README's curl session as written, and guards its eviction endpoint with the API key.</summary>
public sealed partial class SampleReadmeSessionTests : OutputCacheTestBase
{
    private const string Key = "local-admin-key";

    [Fact]
    public async Task ReadmeSession_Miss_Hit_304_Evict_Fresh()
    {
        await using var app = CreateSample(Key);
        var client = app.CreateClient();

        // 1. A miss: rendered now, stored, revalidated by clients.
        var miss = await GetAsync(client, "/products/1");
        AssertStatus(HttpStatusCode.OK, miss);
        var body = await miss.Content.ReadAsStringAsync();
        var generatedAt = Assert.Single(Product1().Matches(body)).Groups["at"].Value;
        Assert.Equal("no-cache", Header(miss, "Cache-Control"));
        var etag = Header(miss, "ETag");
        Assert.Matches("^\"[0-9a-f]{32}\"$", etag);
        Assert.Null(Header(miss, "Age"));

        // 2. A hit: the same body, generatedAt included, and an Age.
        var hit = await GetAsync(client, "/products/1");
        Assert.Equal(body, await hit.Content.ReadAsStringAsync());
        Assert.Equal(("no-cache", etag), (Header(hit, "Cache-Control"), Header(hit, "ETag")));
        Assert.Matches("^[0-9]+$", Header(hit, "Age"));

        // 3. Revalidation: 304 with the same validators and an Age.
        var notModified = await GetAsync(client, "/products/1", ("If-None-Match", etag!));
        AssertStatus(HttpStatusCode.NotModified, notModified);
        Assert.Equal(("no-cache", etag), (Header(notModified, "Cache-Control"), Header(notModified, "ETag")));
        Assert.NotNull(Header(notModified, "Age"));

        // 4. Eviction: 401 without the key, the count with it.
        var refused = await SendAsync(client, HttpMethod.Delete, "/cache/tags/product:1");
        AssertStatus(HttpStatusCode.Unauthorized, refused);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("ApiKey header=\"X-Api-Key\"", Header(refused, "WWW-Authenticate"));
        var evicted = await SendAsync(client, HttpMethod.Delete, "/cache/tags/product:1", ("X-Api-Key", Key));
        Assert.Equal("""{"tag":"product:1","evicted":1}""", await evicted.Content.ReadAsStringAsync());

        // 5. Rendered again: a new generatedAt and a new ETag; the old ETag gets the new response.
        var fresh = await GetAsync(client, "/products/1", ("If-None-Match", etag!));
        AssertStatus(HttpStatusCode.OK, fresh);
        Assert.NotEqual(generatedAt, Assert.Single(Product1().Matches(await fresh.Content.ReadAsStringAsync())).Groups["at"].Value);
        Assert.NotEqual(etag, Header(fresh, "ETag"));
    }

    [Fact]
    public async Task Put_UpdatesTheProduct_AndTheNextGetsShowIt()
    {
        await using var app = CreateSample(Key);
        var client = app.CreateClient();
        await GetAsync(client, "/products/2");
        await GetAsync(client, "/products");

        using var put = new HttpRequestMessage(HttpMethod.Put, "/products/2")
        {
            Content = new StringContent("""{"name":"Burr grinder","price":99.50}""", System.Text.Encoding.UTF8, "application/json"),
        };
        var updated = await client.SendAsync(put);

        Assert.Equal("""{"id":2,"name":"Burr grinder","price":99.50}""", await updated.Content.ReadAsStringAsync());
        Assert.Contains("\"Burr grinder\"", await (await GetAsync(client, "/products/2")).Content.ReadAsStringAsync());
        Assert.Contains("\"Burr grinder\"", await (await GetAsync(client, "/products")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownProduct_Is404_AndNotStored()
    {
        await using var app = CreateSample(Key);
        var client = app.CreateClient();

        var missing = await GetAsync(client, "/products/9");

        AssertStatus(HttpStatusCode.NotFound, missing);
        Assert.Null(Header(missing, "ETag"));
        Assert.Empty(await StoredResponseKeysAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData("local-admin-key ")]
    public async Task EvictionWithoutTheRightKey_Is401(string? key)
    {
        await using var app = CreateSample(Key, test: $"{nameof(EvictionWithoutTheRightKey_Is401)}{key?.Length}");
        var client = app.CreateClient();
        var cached = await (await GetAsync(client, "/products/1")).Content.ReadAsStringAsync();

        var response = key is null
            ? await SendAsync(client, HttpMethod.Delete, "/cache/tags/product:1")
            : await SendAsync(client, HttpMethod.Delete, "/cache/tags/product:1", ("X-Api-Key", key));

        AssertStatus(HttpStatusCode.Unauthorized, response);
        Assert.Equal(cached, await (await GetAsync(client, "/products/1")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WithNoKeyConfigured_EvictionRefusesEveryCall()
    {
        await using var app = CreateSample(adminApiKey: null);
        var client = app.CreateClient();

        AssertStatus(HttpStatusCode.Unauthorized, await SendAsync(client, HttpMethod.Delete, "/cache/tags/products", ("X-Api-Key", "")));
        AssertStatus(HttpStatusCode.Unauthorized, await SendAsync(client, HttpMethod.Delete, "/cache/tags/products", ("X-Api-Key", Key)));
    }

    [Fact]
    public async Task Health_IsHealthy_AsJson_WithTheCachesCheck()
    {
        await using var app = CreateSample(Key);
        var client = app.CreateClient();

        JsonElement report = default;
        await EventuallyAsync(async () =>
        {
            var response = await GetAsync(client, "/health");
            report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return response.StatusCode == HttpStatusCode.OK && report.GetProperty("status").GetString() == "Healthy";
        }, TimeSpan.FromSeconds(10), () => $"/health Healthy; last: {report}");

        var check = Assert.Single(report.GetProperty("checks").EnumerateArray());
        Assert.Equal("redis-auto-expiry", check.GetProperty("name").GetString());
        Assert.Equal("subscribed", check.GetProperty("data").GetProperty("keyspace_notifications").GetString());
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheProductsAndTheEvictionEndpoint()
    {
        await using var app = CreateSample(Key);

        var document = JsonDocument.Parse(await (await GetAsync(app.CreateClient(), "/openapi/v1.json")).Content.ReadAsStringAsync());

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Contains("/products/{id}", paths);
        Assert.Contains("/cache/tags/{tag}", paths);
        Assert.Contains("/cache/evictions", paths);
        Assert.Contains("/cache/entries", paths);
    }

    private SampleAppFactory CreateSample(string? adminApiKey, [CallerMemberName] string test = "") =>
        Own(new SampleAppFactory(Server.ConnectionString(), Prefix(string.Empty, test), adminApiKey));

    [GeneratedRegex("""^\{"id":1,"name":"Espresso beans, 1 kg","price":24\.90,"generatedAt":"(?<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"\}$""")]
    private static partial Regex Product1();
}
