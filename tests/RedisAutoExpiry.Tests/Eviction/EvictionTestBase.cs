using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Eviction;

/// <summary>Calls the test app's eviction endpoint and reads its answers.</summary>
public abstract class EvictionTestBase : OutputCacheTestBase
{
    protected static readonly (string, string) Admin = ("X-Test-User", "admin");

    protected static Task<HttpResponseMessage> DeleteAsync(HttpClient client, string url, params (string Name, string Value)[] headers) =>
        SendAsync(client, HttpMethod.Delete, url, headers);

    protected static async Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string url, string json, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts a ProblemDetails answer with <paramref name="status"/> and returns its detail.</summary>
    protected static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var problem = await JsonAsync(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem.TryGetProperty("detail", out var detail) ? detail.GetString()! : string.Empty;
    }
}
