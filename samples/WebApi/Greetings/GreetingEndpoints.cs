using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;

namespace WebApi.Greetings;

/// <summary>
/// The distributed cache used directly, without output caching: the endpoint keeps its own JSON in Redis with a
/// sliding expiry and an absolute cap, as an app caches data (not whole responses).
/// </summary>
internal static class GreetingEndpoints
{
    /// <summary>Maps GET /greetings/{name}.</summary>
    public static IEndpointRouteBuilder MapGreetings(this IEndpointRouteBuilder endpoints)
    {
        // The greeting is built once, then served from Redis until nobody has asked for it for 10 s, and at most for 60 s.
        endpoints.MapGet("/greetings/{name}", async (string name, IDistributedCache cache, CancellationToken token) =>
        {
            var cached = await cache.GetStringAsync($"greeting:{name}", token);
            if (cached is not null)
            {
                return Results.Text(cached, "application/json");
            }

            var body = JsonSerializer.Serialize(new
            {
                name,
                message = $"Hello, {name}!",
                generatedAt = Timestamp.UtcNow(),
            });
            await cache.SetStringAsync($"greeting:{name}", body, new DistributedCacheEntryOptions
            {
                SlidingExpiration = TimeSpan.FromSeconds(10),
                AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(60),
            }, token);
            return Results.Text(body, "application/json");
        });

        return endpoints;
    }
}
