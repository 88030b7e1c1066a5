using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RedisAutoExpiry;
using RedisAutoExpiry.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers RedisAutoExpiry in an app's services.</summary>
public static class RedisAutoExpiryServiceCollectionExtensions
{
    /// <summary>The connection string name read when no connection is configured: <c>ConnectionStrings:Redis</c>.</summary>
    public const string ConnectionStringName = "Redis";

    /// <summary>
    /// Registers <see cref="RedisAutoExpiryCache"/> as the app's <see cref="IDistributedCache"/> (replacing any
    /// earlier registration, such as <c>AddDistributedMemoryCache</c>) and as <see cref="ITaggedDistributedCache"/>.
    /// When <paramref name="configure"/> sets no connection, the connection string <c>ConnectionStrings:Redis</c> is
    /// used. A hosted service connects at app start, so tag maintenance runs from the start; a server that refuses Lua
    /// scripts stops the start, an unreachable one does not.
    /// </summary>
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
        services.TryAddSingleton<RedisAutoExpiryCache>();
        services.TryAddSingleton<ITaggedDistributedCache>(static provider => provider.GetRequiredService<RedisAutoExpiryCache>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisAutoExpiryStartup>());

        // The app asked for this cache by name, so it wins over an IDistributedCache registered earlier (as
        // AddStackExchangeRedisCache does), and calling this twice still leaves one registration.
        services.RemoveAll<IDistributedCache>();
        services.AddSingleton<IDistributedCache>(static provider => provider.GetRequiredService<RedisAutoExpiryCache>());
        return services;
    }
}
