using System.Net;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Eviction;

/// <summary>Every bad request is a 400 ProblemDetails that evicts nothing; a Redis failure is a 503, never a success.</summary>
public sealed class EvictionEndpointBadInputTests : EvictionTestBase
{
    public static TheoryData<string> BadBodies => new()
    {
        """{"tags": []}""",
        """{"tags": [""]}""",
        """{"tags": ["   "]}""",
        """{"tags": [null]}""",
        """{"tags": "catalog"}""",
        """{"tags": ["catalog"]""",
        """{}""",
        """null""",
        """not json""",
        """{"tags": ["catalog", 7]}""",
        "{\"tags\": [\"" + new string('t', 257) + "\"]}",
        "{\"tags\": [" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"t{i}\"")) + "]}",
        "{\"tags\": [\"catalog\", \"\\uD800\"]}",
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task PostEvictions_WithABadBody_IsA400_AndEvictsNothing(string body)
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        var cached = Render(await GetAsync(client, "/products/1"));

        var detail = await ProblemAsync(await PostJsonAsync(client, "/cache/evictions", body, Admin), HttpStatusCode.BadRequest);

        Assert.NotEmpty(detail);
        Assert.Equal(cached, Render(await GetAsync(client, "/products/1")));
    }

    [Fact]
    public async Task PostEvictions_WithoutJsonContentType_IsA415()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cache/evictions") { Content = new StringContent("""{"tags": ["catalog"]}""") };
        request.Headers.Add("X-Test-User", "admin");

        AssertStatus(HttpStatusCode.UnsupportedMediaType, await client.SendAsync(request));
    }

    [Fact]
    public async Task PostEvictions_WithoutAnyContentType_IsA415ProblemDetails()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cache/evictions") { Content = new ByteArrayContent("""{"tags": ["catalog"]}"""u8.ToArray()) };
        request.Headers.Add("X-Test-User", "admin");

        await ProblemAsync(await client.SendAsync(request), HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("/cache/tags/")]
    [InlineData("/cache/tags/%20%20")]
    public async Task DeleteTag_WithAnEmptyOrBlankTag_IsA400(string url)
    {
        await using var app = CreateApp();

        await ProblemAsync(await DeleteAsync(app.CreateClient(), url, Admin), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task DeleteTag_LongerThanTheTagLimit_IsA400_NamingTheLimit()
    {
        await using var app = CreateApp();

        var detail = await ProblemAsync(await DeleteAsync(app.CreateClient(), "/cache/tags/" + new string('t', 257), Admin), HttpStatusCode.BadRequest);

        Assert.Contains("MaximumTagLength", detail);
    }

    [Theory]
    [InlineData("/cache/entries")]
    [InlineData("/cache/entries?url=")]
    [InlineData("/cache/entries?url=ftp://localhost/pages/plain")]
    [InlineData("/cache/entries?url=pages/plain")]
    [InlineData("/cache/entries?url=//evil.example/pages/plain")]
    [InlineData("/cache/entries?url=/a&url=/b")]
    public async Task DeleteEntries_WithoutAUsableUrl_IsA400(string url)
    {
        await using var app = CreateApp();

        await ProblemAsync(await DeleteAsync(app.CreateClient(), url, Admin), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Eviction_WhenRedisIsDown_IsA503_NeverASuccess()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var app = CreateApp(connection: redis.Server.ConnectionString("connectTimeout=500,syncTimeout=500"));
        var client = app.CreateClient();
        Render(await GetAsync(client, "/products/1"));
        Assert.Single((StackExchange.Redis.RedisResult[])(await redis.Inspector.ExecuteAsync("KEYS", Prefix() + "#rae:out:*"))!);
        redis.Server.Kill();

        await ProblemAsync(await DeleteAsync(client, "/cache/tags/catalog", Admin), HttpStatusCode.ServiceUnavailable);
        await ProblemAsync(await PostJsonAsync(client, "/cache/evictions", """{"tags": ["catalog"]}""", Admin), HttpStatusCode.ServiceUnavailable);
        await ProblemAsync(await DeleteAsync(client, "/cache/entries?url=/products/1", Admin), HttpStatusCode.ServiceUnavailable);
        Assert.NotEmpty(CacheLog.MessagesOf(21));
    }
}
