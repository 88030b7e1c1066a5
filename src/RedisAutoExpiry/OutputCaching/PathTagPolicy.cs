using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RedisAutoExpiry.Logging;
using RedisAutoExpiry.Tagging;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// A base policy: every response the output cache stores, whichever policy chose to cache it, gets the tag
/// <c>path:&lt;host&gt;&lt;pathbase&gt;&lt;path&gt;</c>, so one URL (all its query strings and varied versions) can
/// be evicted without knowing the middleware's keys. The tag is added only as a response is about to be stored.
/// </summary>
internal sealed class PathTagPolicy(OutputCacheOptions outputCacheOptions, RedisAutoExpiryTagOptions tagOptions) : IOutputCachePolicy
{
    public const string Prefix = "path:";

    /// <summary>
    /// The tag of a URL. The host is lowercased, as hosts are case-insensitive; so is the path unless paths are
    /// case-sensitive, because the middleware's key then ignores case too: one key, one tag.
    /// </summary>
    public static string For(string host, string pathBase, string path, bool caseSensitivePaths)
    {
        return caseSensitivePaths
            ? string.Concat(Prefix, host.ToLowerInvariant(), pathBase, path)
            : string.Concat(Prefix, host, pathBase, path).ToLowerInvariant();
    }

    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        if (!context.AllowCacheStorage)
        {
            return ValueTask.CompletedTask;
        }

        var request = context.HttpContext.Request;
        var tag = For(request.Host.Value ?? string.Empty, request.PathBase.Value ?? string.Empty, request.Path.Value ?? string.Empty,
            outputCacheOptions.UseCaseSensitivePaths);
        if (TagList.IsValid(tag, tagOptions))
        {
            context.Tags.Add(tag);
        }
        else
        {
            // An entry no URL eviction could reach would outlive every purge of its page.
            context.AllowCacheStorage = false;
            Log.PathTagUnusable(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<PathTagPolicy>(),
                request.Path.Value ?? string.Empty);
        }

        return ValueTask.CompletedTask;
    }
}
