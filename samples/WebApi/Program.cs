using Microsoft.AspNetCore.Authentication;
using WebApi.Authentication;
using WebApi.Catalog;
using WebApi.Greetings;
using WebApi.Health;

var builder = WebApplication.CreateBuilder(args);

// One line: Redis becomes the app's IDistributedCache, ITaggedDistributedCache and output cache store. The connection
// comes from ConnectionStrings:Redis (./dev.sh sample sets it to the redis-server it starts). FailOpen: while Redis is
// down the app's own cache reads are misses and its writes are dropped, so pages still render (output caching fails
// open whatever it says); evictions still fail loudly, with a 503.
builder.Services.AddRedisAutoExpiryCache(options =>
{
    options.InstanceName = "sample:";
    options.Resilience.FailOpen = true;
});

// /health answers 200 Healthy, 200 Degraded (a circuit breaker open, keyspace notifications missing) or 503 Unhealthy
// (Redis does not answer), as JSON that says why.
builder.Services.AddHealthChecks().AddRedisAutoExpiryCache();

builder.Services.AddControllers();
builder.Services.AddOpenApi();
// Errors as RFC 9457 problem details: [ApiController]'s 400 and 404, unhandled exceptions, and the bodiless 401.
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<ProductCatalog>();

// The eviction endpoints are for operators: an X-Api-Key header matching Cache:AdminApiKey, which no file in the
// repository sets, so until someone configures a key nobody can evict.
builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(ApiKeyAuthenticationHandler.CacheAdminPolicy, policy => policy
        .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
        .RequireAuthenticatedUser());

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

// Output caching after authentication and authorization: placed before them it would run before the user is known.
app.UseAuthentication();
app.UseAuthorization();
app.UseRedisAutoExpiryCache();

// The OpenAPI document at /openapi/v1.json. Mapped in every environment because ./dev.sh sample runs in Production.
app.MapOpenApi();

app.MapGet("/", () => Results.Redirect("/products")).ExcludeFromDescription();
app.MapControllers();
app.MapGreetings();
app.MapHealthChecks("/health", new() { ResponseWriter = HealthReportWriter.WriteAsync });

// DELETE /cache/tags/{tag}, POST /cache/evictions, DELETE /cache/entries?url=…, for callers with the admin key.
app.MapCacheEviction().RequireAuthorization(ApiKeyAuthenticationHandler.CacheAdminPolicy);

app.Run();
