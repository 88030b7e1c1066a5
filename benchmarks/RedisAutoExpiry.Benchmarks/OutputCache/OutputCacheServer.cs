using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace RedisAutoExpiry.Benchmarks.OutputCache;

/// <summary>
/// The HTTP server benchmarks/output-cache.sh drives with wrk: one product endpoint, output cached by a policy on a
/// store, plus the same endpoint uncached. Same action, same ~1 KiB JSON body, Kestrel on loopback.
/// <list type="bullet">
/// <item><c>--store redis</c>: our [CacheFor] on our Redis store, registered by AddRedisAutoExpiryCache.</item>
/// <item><c>--store memory</c>: the framework's CacheOutput on its in-memory store, what an app has without us.</item>
/// <item><c>--store memory --policy cache-for</c>: the first app with the framework's in-memory store put back in
/// place of ours, so the two differ in the store alone.</item>
/// <item><c>--store redis --policy cache-output</c>: the second app with our store in place of the in-memory one.</item>
/// </list>
/// </summary>
internal static class OutputCacheServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: output-cache-server --store redis|memory [--policy cache-for|cache-output] --port N [--redis host:port]");
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
        if (options.Store == "redis" || options.CacheFor)
        {
            builder.Services.AddRedisAutoExpiryCache(o =>
            {
                o.Configuration = options.Redis ?? throw new ArgumentException("--redis host:port is required");
                o.InstanceName = "bench:";
            });
        }

        if (options.Store == "memory")
        {
            // The framework's own registration of its in-memory store, in place of ours when there is one.
            var framework = new ServiceCollection().AddOutputCache();
            builder.Services.RemoveAll<IOutputCacheStore>();
            builder.Services.Add(framework.Single(d => d.ServiceType == typeof(IOutputCacheStore)));
            builder.Services.AddOutputCache();
        }

        var app = builder.Build();
        app.UseOutputCache();
        var body = new string('x', 900);
        var products = app.MapGet("/products/{id:int}", (int id) => new Product(id, $"Product {id}", body));
        if (options.CacheFor)
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

    private sealed record Options(string Store, bool CacheFor, int Port, string? Redis)
    {
        public static Options? Parse(string[] args)
        {
            var values = new Dictionary<string, string>();
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                values[args[i]] = args[i + 1];
            }

            if (args.Length % 2 != 0 || values.Keys.Except(["--store", "--policy", "--port", "--redis"]).Any()
                || !values.TryGetValue("--store", out var store) || store is not ("redis" or "memory")
                || !values.TryGetValue("--port", out var portText) || !int.TryParse(portText, out var port))
            {
                return null;
            }

            // Each store with its own policy unless told otherwise.
            var policy = values.GetValueOrDefault("--policy", store == "redis" ? "cache-for" : "cache-output");
            return policy is "cache-for" or "cache-output"
                ? new Options(store, policy == "cache-for", port, values.GetValueOrDefault("--redis"))
                : null;
        }
    }
}
