using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// Output caching defaults for a Redis store. Registered ahead of every other configuration of
/// <see cref="OutputCacheOptions"/>, so an app's own <c>AddOutputCache(o => …)</c> still wins, before or after ours.
/// </summary>
internal sealed class OutputCacheOptionsSetup(IOptions<RedisAutoExpiryCacheOptions> cacheOptions) : IConfigureOptions<OutputCacheOptions>
{
    /// <summary>
    /// Largest body stored, 1 MiB (the framework's is 64 MiB): Redis serves one command at a time, and every hit on a
    /// multi-megabyte value holds all other clients up while it is copied out. Larger responses are served, not stored.
    /// </summary>
    public const long DefaultMaximumBodySize = 1024 * 1024;

    private const long HeaderAllowance = 64 * 1024;

    public void Configure(OutputCacheOptions options)
    {
        // The stored value is the body plus the serialized status and headers: leave them room under MaximumValueSize.
        var valueSize = cacheOptions.Value.MaximumValueSize;
        options.MaximumBodySize = Math.Min(DefaultMaximumBodySize, valueSize - Math.Min(HeaderAllowance, valueSize / 2));
        options.AddBasePolicy(new PathTagPolicy(options, cacheOptions.Value.Tags));
    }
}
