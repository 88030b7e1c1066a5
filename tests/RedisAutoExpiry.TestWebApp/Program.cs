using Microsoft.AspNetCore.Authentication;
using RedisAutoExpiry;
using RedisAutoExpiry.TestWebApp;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddControllers();
builder.Services.AddSingleton<RenderCounter>();
builder.Services.AddAuthentication(HeaderAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorization();

// The tests point this at their Redis server and give each test its own InstanceName.
builder.Services.AddRedisAutoExpiryCache(builder.Configuration.GetSection("RedisAutoExpiry"));

var app = builder.Build();

// The right order: output caching after authentication. One test turns it round to check the misordering is caught.
var misordered = app.Configuration.GetValue<bool>("TestPipeline:OutputCacheBeforeAuthentication");
if (misordered)
{
    app.UseRedisAutoExpiryCache();
}

app.UseAuthentication();
app.UseAuthorization();
if (!misordered)
{
    app.UseRedisAutoExpiryCache();
}

app.MapControllers();

app.MapGet("/minimal/{id}", (string id, RenderCounter counter, HttpContext context) => counter.Render(context, $"item {id}"))
    .CacheFor(30, declaration => declaration.Tags = ["item:{id}"]);

app.MapMethods("/minimal-any/{id}", ["GET", "POST"], (string id, RenderCounter counter, HttpContext context) => counter.Render(context, $"any {id}"))
    .CacheFor(30);

// The framework's own policy, on the same store: its responses get the path tag too.
app.MapGet("/builtin/{id}", (string id, RenderCounter counter, HttpContext context) => counter.Render(context, $"builtin {id}"))
    .CacheOutput(policy => policy.Tag("builtin"));

app.Run();

/// <summary>The entry point WebApplicationFactory starts.</summary>
public partial class Program;
