using Microsoft.AspNetCore.Authentication;
using RedisAutoExpiry;
using RedisAutoExpiry.TestWebApp;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddControllers();
builder.Services.AddSingleton<RenderCounter>();
builder.Services.AddAuthentication(HeaderAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorization(options =>
{
    // One test protects every endpoint through the fallback policy instead of [Authorize].
    if (builder.Configuration.GetValue<bool>("TestPipeline:FallbackRequiresUser"))
    {
        options.FallbackPolicy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }

    options.AddPolicy("CacheAdmin", policy => policy.RequireUserName("admin"));
});

// The tests point this at their Redis server and give each test its own InstanceName.
builder.Services.AddRedisAutoExpiryCache(builder.Configuration.GetSection("RedisAutoExpiry"));

var app = builder.Build();

// Stands for middleware that writes after the endpoint, through BodyWriter without flushing (as some do).
app.Use(async (context, next) =>
{
    await next(context);
    if (context.Request.Headers.ContainsKey("X-Tail"))
    {
        var writer = context.Response.BodyWriter;
        "|TAIL"u8.CopyTo(writer.GetSpan(5));
        writer.Advance(5);
    }
});

// Stands for middleware that adds a cookie as the response starts (session, sliding sign-in renewal).
app.Use((context, next) =>
{
    if (context.Request.Headers.ContainsKey("X-Late-Cookie"))
    {
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.Append("Set-Cookie", "late=1; path=/");
            return Task.CompletedTask;
        });
    }

    return next(context);
});

// The right order is output caching after authentication and authorization ("last"); tests turn it round to check
// that a misordering is caught: "first" (before both) or "between" (after authentication, before authorization).
var outputCachePlace = app.Configuration["TestPipeline:OutputCache"] ?? "last";
if (outputCachePlace == "first")
{
    app.UseRedisAutoExpiryCache();
}

app.UseAuthentication();
if (outputCachePlace == "between")
{
    app.UseRedisAutoExpiryCache();
}

app.UseAuthorization();
if (outputCachePlace == "last")
{
    app.UseRedisAutoExpiryCache();
}

app.MapControllers();

app.MapGet("/minimal/{id}", (string id, RenderCounter counter, HttpContext context) => counter.Render(context, $"item {id}"))
    .CacheFor(30, declaration => declaration.Tags = ["item:{id}"]);

app.MapMethods("/minimal-any/{id}", ["GET", "POST"], (string id, RenderCounter counter, HttpContext context) => counter.Render(context, $"any {id}"))
    .CacheFor(30);

app.MapGet("/members-only", (RenderCounter counter, HttpContext context) => counter.Render(context, "members only"))
    .RequireAuthorization()
    .CacheFor(30, declaration => declaration.CacheAuthenticatedRequests = true);

// [CacheFor] declines (a tag it cannot fill) while the framework's [OutputCache] on the same endpoint caches.
app.MapGet("/mixed", (RenderCounter counter, HttpContext context) => counter.Render(context, "mixed"))
    .CacheFor(30, declaration => declaration.Tags = ["mixed:{absent}"])
    .WithMetadata(new Microsoft.AspNetCore.OutputCaching.OutputCacheAttribute());

// The framework's own policy, on the same store: its responses get the path tag too.
app.MapGet("/builtin/{id}", (string id, RenderCounter counter, HttpContext context) => counter.Render(context, $"builtin {id}"))
    .CacheOutput(policy => policy.Tag("builtin"));

// The eviction endpoint as apps declare it: secured by a named policy (directly or through a group), opened
// explicitly, or left undeclared (which refuses every call).
app.MapCacheEviction().RequireAuthorization("CacheAdmin");
app.MapGroup("/admin").RequireAuthorization("CacheAdmin").MapCacheEviction();
app.MapCacheEviction("/open-cache").AllowAnonymous();
app.MapCacheEviction("/undeclared-cache");

app.Run();

/// <summary>The entry point WebApplicationFactory starts.</summary>
public partial class Program;
