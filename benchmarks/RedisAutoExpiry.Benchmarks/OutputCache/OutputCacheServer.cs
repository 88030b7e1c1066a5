using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RedisAutoExpiry.Benchmarks.OutputCache;

/// <summary>
/// The HTTP server benchmarks/output-cache.sh drives with wrk: one product endpoint, output cached either by our
/// [CacheFor] on Redis or by the framework's CacheOutput on its in-memory store (the baseline), plus the same
/// endpoint uncached. Same action, same ~1 KiB JSON body, Kestrel on loopback.
/// </summary>
internal static class OutputCacheServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not ["--store", var store and ("redis" or "memory"), "--port", var port, .. var rest])
        {
            Console.Error.WriteLine("usage: output-cache-server --store redis|memory --port N [--redis host:port]");
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        if (store == "redis")
        {
            var redis = rest is ["--redis", var endpoint] ? endpoint : throw new ArgumentException("--redis host:port is required");
            builder.Services.AddRedisAutoExpiryCache(o =>
            {
                o.Configuration = redis;
                o.InstanceName = "bench:";
            });
        }
        else
        {
            builder.Services.AddOutputCache();
        }

        var app = builder.Build();
        app.UseOutputCache();
        var body = new string('x', 900);
        var products = app.MapGet("/products/{id:int}", (int id) => new Product(id, $"Product {id}", body));
        if (store == "redis")
        {
            products.CacheFor(60, p => p.Tags = ["product:{id}"]);
        }
        else
        {
            products.CacheOutput(p => p.Expire(TimeSpan.FromSeconds(60)).Tag("products"));
        }

        app.MapGet("/uncached/{id:int}", (int id) => new Product(id, $"Product {id}", body));
        await app.RunAsync();
        return 0;
    }

    private sealed record Product(int Id, string Name, string Description);
}
