using Microsoft.Extensions.Caching.Distributed;

var builder = WebApplication.CreateBuilder(args);

// One line: Redis becomes the app's IDistributedCache, ITaggedDistributedCache and output cache store. The connection
// comes from ConnectionStrings:Redis (./dev.sh sample sets it to the redis-server it starts).
builder.Services.AddRedisAutoExpiryCache(options => options.InstanceName = "sample:");

var app = builder.Build();

// Output caching. In an app with authentication this goes after UseAuthentication() and UseAuthorization().
app.UseRedisAutoExpiryCache();

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

// Rendered once, then served from Redis for 60 s. Clients revalidate (Cache-Control: no-cache + ETag) and get a 304
// while Redis holds it; evicting the tag "product:{id}" (or "products") drops it at once.
app.MapGet("/products/{id:int}", (int id) => new
{
    id,
    name = $"Product {id}",
    renderedAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
}).CacheFor(60, product => product.Tags = ["product:{id}", "products"]);

// Clients may keep this one too: Cache-Control: public, max-age=60, with Age on hits, so a client's copy expires
// when Redis's does. A copy held by a browser or CDN outlives an eviction.
app.MapGet("/catalog", () => new
{
    products = new[] { 1, 2, 3 },
    renderedAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
}).CacheFor(60, catalog => catalog.ClientDuration = 60);

app.Run();
