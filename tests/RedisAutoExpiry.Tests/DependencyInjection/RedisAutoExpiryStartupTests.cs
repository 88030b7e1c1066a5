using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.DependencyInjection;

/// <summary>What the registration does when the app starts: connect early, and refuse a server without scripting.</summary>
public sealed class RedisAutoExpiryStartupTests : RedisTestBase
{
    [Fact]
    public async Task TheTaggedCache_IsTheSameInstanceAsTheDistributedCache()
    {
        var services = new ServiceCollection();
        services.AddRedisAutoExpiryCache(o => { o.Configuration = Server.ConnectionString(); o.InstanceName = Prefix(); });
        await using var provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<IDistributedCache>(), provider.GetRequiredService<ITaggedDistributedCache>());
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public async Task AServerThatRefusesScripts_StopsTheAppsStart_WithAMessageThatSaysSo()
    {
        await using var redis = await DedicatedRedis.StartAsync("no-scripting.conf");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddRedisAutoExpiryCache(o => o.Configuration = redis.Server.ConnectionString());
        using var host = builder.Build();

        var failure = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("refused to run a Lua script", failure.Message, StringComparison.Ordinal);
        Assert.Contains("+@scripting", failure.Message, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public async Task ACacheUsedDirectly_OnAServerThatRefusesScripts_FailsEveryCallWithThatMessage()
    {
        await using var redis = await DedicatedRedis.StartAsync("no-scripting.conf");
        await using var cache = new RedisAutoExpiryCache(new RedisAutoExpiryCacheOptions { Configuration = redis.Server.ConnectionString() });

        var failure = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => cache.GetAsync("entry"));
        Assert.Contains("refused to run a Lua script", failure.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<InvalidOperationException>(() => cache.Set("entry", [1], new DistributedCacheEntryOptions()));
    }

    [Fact]
    public async Task AnUnreachableRedis_DoesNotStopTheAppsStart()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddRedisAutoExpiryCache(o => o.Configuration = $"127.0.0.1:{ClosedPort()},connectTimeout=300");
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();
    }

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
