using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>Drives the test web app over real Redis and reads back what its output cache stored there.</summary>
public abstract class OutputCacheTestBase : RedisTestBase
{
    /// <summary>Starts the test app with this test's InstanceName; <paramref name="services"/> adjusts its registrations.</summary>
    protected TestAppFactory CreateApp(Action<IServiceCollection>? services = null, string? connection = null,
        IReadOnlyDictionary<string, string>? settings = null, [CallerMemberName] string test = "") =>
        Own(new TestAppFactory(connection ?? Server.ConnectionString(), Prefix(string.Empty, test), CacheLog, services, settings));

    protected static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    protected static Task<HttpResponseMessage> GetAsync(HttpClient client, string url, params (string Name, string Value)[] headers) =>
        SendAsync(client, HttpMethod.Get, url, headers);

    /// <summary>The render number of a response: a cached response repeats the one that was stored.</summary>
    protected static string Render(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Render", out var values) ? values.Single() : throw new Xunit.Sdk.XunitException(
            $"No X-Render header: {(int)response.StatusCode} {string.Join("; ", response.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"))}");

    /// <summary>A response header as sent (HttpClient's typed headers would reorder Cache-Control directives).</summary>
    protected static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) || response.Content.Headers.NonValidated.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    /// <summary>The Redis keys of the responses this test's app stored.</summary>
    protected async Task<string[]> StoredResponseKeysAsync([CallerMemberName] string test = "")
    {
        var pattern = EscapeGlob(Prefix(string.Empty, test)) + "#rae:out:*";
        var keys = new List<string>();
        var cursor = "0";
        do
        {
            var page = (RedisResult[])(await Inspector.ExecuteAsync("SCAN", cursor, "MATCH", pattern, "COUNT", "1000"))!;
            cursor = (string)page[0]!;
            keys.AddRange(((RedisResult[])page[1]!).Select(k => (string)k!));
        }
        while (cursor != "0");
        return [.. keys.Order(StringComparer.Ordinal)];
    }

    protected static async Task EvictAsync(TestAppFactory app, string tag) =>
        await app.Services.GetRequiredService<IOutputCacheStore>().EvictByTagAsync(tag, CancellationToken.None);

    protected static void AssertStatus(HttpStatusCode expected, HttpResponseMessage response) =>
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}.");

    private static string EscapeGlob(string literal) =>
        string.Concat(literal.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? $"\\{c}" : c.ToString()));
}
