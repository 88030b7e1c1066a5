using Microsoft.Extensions.Caching.Distributed;

var builder = WebApplication.CreateBuilder(args);

// One line: Redis becomes the app's IDistributedCache. The connection comes from ConnectionStrings:Redis
// (./dev.sh sample sets it to the redis-server it starts).
builder.Services.AddRedisAutoExpiryCache(options => options.InstanceName = "sample:");

var app = builder.Build();

app.MapGet("/", () => Results.Redirect("/greetings/world"));

// The greeting is built once, then served from Redis until nobody has asked for it for 10 s, and at most for 60 s.
app.MapGet("/greetings/{name}", async (string name, IDistributedCache cache, CancellationToken token) =>
{
    var cached = await cache.GetStringAsync($"greeting:{name}", token);
    if (cached is not null)
    {
        return Results.Text(cached, "application/json");
    }

    var body = System.Text.Json.JsonSerializer.Serialize(new
    {
        name,
        message = $"Hello, {name}!",
        generatedAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
    });
    await cache.SetStringAsync($"greeting:{name}", body, new DistributedCacheEntryOptions
    {
        SlidingExpiration = TimeSpan.FromSeconds(10),
        AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(60),
    }, token);
    return Results.Text(body, "application/json");
});

app.Run();
