using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>
/// Runs tests/RedisAutoExpiry.TestWebApp in memory against a real Redis, with the test's own InstanceName, so tests
/// running in parallel never share an entry.
/// </summary>
public sealed class TestAppFactory(string connection, string instanceName, CapturingLogger log, Action<IServiceCollection>? services,
    IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");

        // The suite runs many apps and servers at once on two cores, where a round trip can exceed the defaults (50 ms
        // for the output cache, 1 s otherwise); a timed-out store would leave a test's response uncached. Tests of the
        // bounds themselves set their own.
        builder.UseSetting("RedisAutoExpiry:Resilience:OperationTimeout", "00:00:05");
        builder.UseSetting("RedisAutoExpiry:Resilience:OutputCacheTimeout", "00:00:01");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging
            .AddProvider(new CapturingLoggerProvider(log))
            .AddFilter("RedisAutoExpiry", LogLevel.Debug));
        builder.ConfigureServices(collection =>
        {
            collection.PostConfigure<RedisAutoExpiryCacheOptions>(options =>
            {
                options.Configuration = connection;
                options.InstanceName = instanceName;
            });
            services?.Invoke(collection);
        });
    }
}
