using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.DependencyInjection;

public sealed class RedisAutoExpiryServiceCollectionExtensionsTests : RedisTestBase
{
    [Fact]
    public async Task AddRedisAutoExpiryCache_MakesItTheDistributedCache_ReplacingAnEarlierOne()
    {
        var services = new ServiceCollection().AddDistributedMemoryCache();
        services.AddRedisAutoExpiryCache(o =>
        {
            o.Configuration = Server.ConnectionString();
            o.InstanceName = Prefix();
        });
        services.AddRedisAutoExpiryCache();
        await using var provider = services.BuildServiceProvider();

        var cache = provider.GetRequiredService<IDistributedCache>();

        Assert.Same(provider.GetRequiredService<RedisAutoExpiryCache>(), cache);
        Assert.Single(services, d => d.ServiceType == typeof(IDistributedCache));
        await cache.SetStringAsync("entry", "hello");
        Assert.True(await Inspector.KeyExistsAsync(Prefix() + "entry"));
    }

    [Fact]
    public async Task WithoutAConfiguredConnection_ItReadsConnectionStringsRedis()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = Server.ConnectionString(),
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddRedisAutoExpiryCache(o => o.InstanceName = Prefix());
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IDistributedCache>().SetStringAsync("entry", "hello");

        Assert.Equal(Server.ConnectionString(), provider.GetRequiredService<IOptions<RedisAutoExpiryCacheOptions>>().Value.Configuration);
        Assert.True(await Inspector.KeyExistsAsync(Prefix() + "entry"));
    }

    [Fact]
    public async Task AConfigurationSection_BindsTheOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cache:Configuration"] = Server.ConnectionString(),
            ["Cache:InstanceName"] = Prefix(),
            ["Cache:MaximumValueSize"] = "100",
            ["Cache:DefaultEntryOptions:SlidingExpiration"] = "00:00:42",
        }).Build();
        var services = new ServiceCollection().AddRedisAutoExpiryCache(configuration.GetSection("Cache"));
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IDistributedCache>();

        await cache.SetAsync("entry", new byte[100]);

        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Set("entry", new byte[101], new()));
        Assert.InRange(await PttlAsync(Prefix() + "entry"), 41_000, 42_000);
    }

    [Fact]
    public async Task NoConnectionAnywhere_FailsWhenTheCacheIsResolved_NamingWhereToPutOne()
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddRedisAutoExpiryCache();
        await using var provider = services.BuildServiceProvider();

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IDistributedCache>());
        Assert.Contains("ConnectionStrings:Redis", exception.Message);
    }

    [Fact]
    public async Task InvalidOptions_FailWhenTheCacheIsResolved()
    {
        var services = new ServiceCollection().AddRedisAutoExpiryCache(o =>
        {
            o.Configuration = Server.ConnectionString();
            o.MaximumValueSize = 0;
        });
        await using var provider = services.BuildServiceProvider();

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IDistributedCache>());
        Assert.Contains("MaximumValueSize", exception.Message);
    }
}
