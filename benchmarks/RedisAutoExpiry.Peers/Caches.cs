using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace RedisAutoExpiry.Peers;

/// <summary>
/// Microsoft's <c>RedisCache</c> and <c>RedisOutputCacheStore</c>, and ours, each registered as an app would, all on
/// one multiplexer to one redis-server, under different instance names.
/// </summary>
internal sealed class Caches : IAsyncDisposable
{
    private readonly ServiceProvider _microsoft;
    private readonly ServiceProvider _ours;

    public Caches(IConnectionMultiplexer multiplexer)
    {
        Task<IConnectionMultiplexer> Shared() => Task.FromResult(multiplexer);

        var microsoft = new ServiceCollection();
        microsoft.AddStackExchangeRedisCache(o =>
        {
            o.ConnectionMultiplexerFactory = Shared;
            o.InstanceName = "ms:";
        });
        microsoft.AddStackExchangeRedisOutputCache(o =>
        {
            o.ConnectionMultiplexerFactory = Shared;
            o.InstanceName = "msout:";
        });
        _microsoft = microsoft.BuildServiceProvider();

        var ours = new ServiceCollection();
        ours.AddRedisAutoExpiryCache(o =>
        {
            o.ConnectionMultiplexerFactory = Shared;
            o.InstanceName = "ours:";
        });
        _ours = ours.BuildServiceProvider();
    }

    public IDistributedCache MicrosoftCache => _microsoft.GetRequiredService<IDistributedCache>();

    public IOutputCacheStore MicrosoftStore => _microsoft.GetRequiredService<IOutputCacheStore>();

    public IDistributedCache OurCache => _ours.GetRequiredService<IDistributedCache>();

    public IOutputCacheStore OurStore => _ours.GetRequiredService<IOutputCacheStore>();

    public async ValueTask DisposeAsync()
    {
        await _microsoft.DisposeAsync();
        await _ours.DisposeAsync();
    }
}
