using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedisAutoExpiry;
using RedisAutoExpiry.Eviction;
using RedisAutoExpiry.Hosting;
using RedisAutoExpiry.OutputCaching;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers RedisAutoExpiry in an app's services.</summary>
public static class RedisAutoExpiryServiceCollectionExtensions
{
    /// <summary>The connection string name read when no connection is configured: <c>ConnectionStrings:Redis</c>.</summary>
    public const string ConnectionStringName = "Redis";

    /// <summary>
    /// Registers <see cref="RedisAutoExpiryCache"/> as the app's <see cref="IDistributedCache"/> (replacing any
    /// earlier registration, such as <c>AddDistributedMemoryCache</c>) and as <see cref="ITaggedDistributedCache"/>,
    /// and output caching on the same Redis storage (<c>AddOutputCache</c> with this cache as its
    /// <see cref="IOutputCacheStore"/>, and every stored response tagged <c>path:&lt;host&gt;&lt;path&gt;</c>).
    /// When <paramref name="configure"/> sets no connection, the connection string <c>ConnectionStrings:Redis</c> is
    /// used. A hosted service connects at app start, so tag maintenance runs from the start; a server that refuses Lua
    /// scripts stops the start, an unreachable one does not.
    /// </summary>
    /// <remarks>
    /// Output caching also needs its middleware: <c>app.UseRedisAutoExpiryCache()</c> after <c>UseAuthentication()</c>
    /// and <c>UseAuthorization()</c>. <c>OutputCacheOptions.MaximumBodySize</c> defaults to 1 MiB here; an app's own
    /// <c>AddOutputCache(o => …)</c> overrides it and anything else.
    /// </remarks>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Sets the options; the same names as <c>AddStackExchangeRedisCache</c>'s.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddRedisAutoExpiryCache(this IServiceCollection services, Action<RedisAutoExpiryCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RedisAutoExpiryCacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services);
    }

    /// <summary>
    /// Registers <see cref="RedisAutoExpiryCache"/> with options bound from a configuration section, e.g.
    /// <c>builder.Configuration.GetSection("RedisAutoExpiry")</c> holding <c>Configuration</c>, <c>InstanceName</c>,
    /// <c>MaximumValueSize</c>… When the section sets no connection, <c>ConnectionStrings:Redis</c> is used.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configuration">The section to bind.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddRedisAutoExpiryCache(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RedisAutoExpiryCacheOptions>().Bind(configuration);
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.AddOptions<RedisAutoExpiryCacheOptions>()
            .PostConfigure<IServiceProvider>(static (options, provider) =>
            {
                if (string.IsNullOrWhiteSpace(options.Configuration) && options.ConfigurationOptions is null
                    && options.ConnectionMultiplexerFactory is null)
                {
                    options.Configuration = provider.GetService<IConfiguration>()?.GetConnectionString(ConnectionStringName);
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisAutoExpiryCacheOptions>>(RedisAutoExpiryCacheOptionsValidator.Instance));
        services.AddLogging();
        services.AddMetrics();
        services.TryAddSingleton<RedisAutoExpiryCache>();
        services.TryAddSingleton<ITaggedDistributedCache>(static provider => provider.GetRequiredService<RedisAutoExpiryCache>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisAutoExpiryStartup>());

        // The app asked for this cache by name, so it wins over an IDistributedCache registered earlier (as
        // AddStackExchangeRedisCache does), and calling this twice still leaves one registration.
        services.RemoveAll<IDistributedCache>();
        services.AddSingleton<IDistributedCache>(static provider => provider.GetRequiredService<RedisAutoExpiryCache>());
        AddOutputCaching(services);
        services.AddOptions<CacheEvictionOptions>();
        services.TryAddSingleton<EvictionHandler>();
        return services;
    }

    private static void AddOutputCaching(IServiceCollection services)
    {
        services.AddOutputCache();

        // First in line, so the app's own AddOutputCache(o => ...) overrides these defaults wherever it is called.
        if (!services.Any(static d => d.ImplementationType == typeof(OutputCacheOptionsSetup)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IConfigureOptions<OutputCacheOptions>, OutputCacheOptionsSetup>());
        }

        // Lets [CacheFor] correct its headers after every other middleware's OnStarting callback (see the type).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, CacheForResponseGuard>());

        // AddOutputCache only TryAdds its in-memory store: ours replaces it whichever was registered first.
        // The stampede lease follows each request through IHttpContextAccessor: it must end when the request that
        // rendered a response completes without storing it.
        services.AddHttpContextAccessor();
        services.RemoveAll<IOutputCacheStore>();
        services.AddSingleton<IOutputCacheStore>(static provider =>
        {
            var cache = provider.GetRequiredService<RedisAutoExpiryCache>();
            return new RedisAutoExpiryOutputCacheStore(cache, new StampedeProtection(cache, provider.GetRequiredService<IHttpContextAccessor>(),
                provider.GetRequiredService<ILogger<StampedeProtection>>()));
        });
    }
}
