extern alias WebApiSample;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace RedisAutoExpiry.Tests.Sample;

/// <summary>
/// Runs samples/WebApi as shipped, against the tests' Redis, with the test's own InstanceName (the sample's is fixed)
/// and the admin key the test gives (none: the sample's default).
/// </summary>
public sealed class SampleAppFactory(string connection, string instanceName, string? adminApiKey)
    : WebApplicationFactory<WebApiSample::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Redis", connection);
        if (adminApiKey is not null)
        {
            builder.UseSetting("Cache:AdminApiKey", adminApiKey);
        }

        builder.ConfigureServices(services =>
            services.PostConfigure<RedisAutoExpiryCacheOptions>(options =>
            {
                options.InstanceName = instanceName;

                // As in TestAppFactory: the loaded test machine must not turn a slow store into an uncached response.
                options.Resilience.OperationTimeout = TimeSpan.FromSeconds(5);
                options.Resilience.OutputCacheTimeout = TimeSpan.FromSeconds(1);
            }));
    }
}
