using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RedisAutoExpiry.OutputCaching;

namespace RedisAutoExpiry.Tests.DependencyInjection;

public sealed class OutputCacheRegistrationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheOutputCacheStore_IsRedis_WhereverAddOutputCacheIsCalled(bool addOutputCacheFirst)
    {
        var services = new ServiceCollection();
        if (addOutputCacheFirst)
        {
            services.AddOutputCache();
        }

        services.AddRedisAutoExpiryCache(o => o.Configuration = "127.0.0.1:1");
        services.AddOutputCache(o => o.DefaultExpirationTimeSpan = TimeSpan.FromSeconds(7));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<RedisAutoExpiryOutputCacheStore>(provider.GetRequiredService<IOutputCacheStore>());
        Assert.Single(services, d => d.ServiceType == typeof(IOutputCacheStore));
        Assert.Equal(TimeSpan.FromSeconds(7), provider.GetRequiredService<IOptions<OutputCacheOptions>>().Value.DefaultExpirationTimeSpan);
    }

    [Fact]
    public void RegisteringTwice_AddsThePathTagPolicyOnce()
    {
        var services = new ServiceCollection()
            .AddRedisAutoExpiryCache(o => o.Configuration = "127.0.0.1:1")
            .AddRedisAutoExpiryCache();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<OutputCacheOptions>>().Value;

        Assert.Single(services, d => d.ImplementationType == typeof(OutputCacheOptionsSetup));
        Assert.Equal(1024 * 1024, options.MaximumBodySize);
    }

    [Fact]
    public void TheBodyLimit_NeverExceedsTheLargestValueTheCacheAccepts()
    {
        var services = new ServiceCollection().AddRedisAutoExpiryCache(o =>
        {
            o.Configuration = "127.0.0.1:1";
            o.MaximumValueSize = 4096;
        });
        using var provider = services.BuildServiceProvider();

        // Half the value is left for the serialized status and headers (at most 64 KiB of it).
        Assert.Equal(2048, provider.GetRequiredService<IOptions<OutputCacheOptions>>().Value.MaximumBodySize);
    }
}
