using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedisAutoExpiry.Logging;
using RedisAutoExpiry.Redis;
using RedisAutoExpiry.Tagging;

namespace RedisAutoExpiry.Eviction;

/// <summary>
/// Answers the eviction endpoint's three routes. Every answer is either the counts of what was evicted or a
/// ProblemDetails: 400 for bad input (nothing evicted), 401 when the app left the endpoint unsecured, 503 when Redis
/// failed (some entries may be gone; a retry is safe). A failed eviction is never reported as a success.
/// </summary>
internal sealed class EvictionHandler(
    ITaggedDistributedCache cache,
    IOptions<RedisAutoExpiryCacheOptions> cacheOptions,
    IOptions<CacheEvictionOptions> evictionOptions,
    IOptions<OutputCacheOptions> outputCacheOptions,
    ILogger<EvictionHandler> logger)
{
    private int _unsecuredWarned;

    private RedisAutoExpiryTagOptions TagOptions => cacheOptions.Value.Tags;

    /// <summary><c>DELETE …/tags/{**tag}</c> → <c>{"tag": …, "evicted": N}</c>.</summary>
    public Task EvictTagAsync(HttpContext context)
    {
        if (Refuse(context) is { } refused)
        {
            return refused;
        }

        var tag = TagOfRoute.Read(context, context.Request.RouteValues["tag"] as string ?? string.Empty);
        if (TagList.FindProblem(tag, TagOptions) is { } problem)
        {
            return BadRequest(context, problem);
        }

        return RunAsync(context, async token => new TagEvicted(tag, await EvictAsync(context, tag, token).ConfigureAwait(false)),
            EvictionJsonContext.Default.TagEvicted);
    }

    /// <summary><c>POST …/evictions</c> with <c>{"tags": [...]}</c> → the count per tag and the total.</summary>
    public async Task EvictTagsAsync(HttpContext context)
    {
        if (Refuse(context) is { } refused)
        {
            await refused.ConfigureAwait(false);
            return;
        }

        // Routing answers 415 to a body declared as something else (the endpoint's AcceptsMetadata), but lets a body
        // with no Content-Type through.
        if (!context.Request.HasJsonContentType())
        {
            await Problem(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send the tags as JSON with Content-Type: application/json, e.g. {\"tags\": [\"product:1\"]}.").ConfigureAwait(false);
            return;
        }

        EvictionRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync(EvictionJsonContext.Default.EvictionRequest, context.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (InvalidOperationException exception) when (exception is not ObjectDisposedException)
        {
            // An unsupported charset in the Content-Type.
            await Problem(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", exception.Message).ConfigureAwait(false);
            return;
        }
        catch (JsonException exception)
        {
            await BadRequest(context, $"The body is not valid JSON of the form {{\"tags\": [\"…\"]}}: {exception.Message}").ConfigureAwait(false);
            return;
        }

        if (Validate(request?.Tags) is { } problem)
        {
            await BadRequest(context, problem).ConfigureAwait(false);
            return;
        }

        var tags = request!.Tags!.Distinct(StringComparer.Ordinal).ToArray();
        await RunAsync(context, async token =>
        {
            var results = new TagEvicted[tags.Length];
            long total = 0;
            for (var i = 0; i < tags.Length; i++)
            {
                var evicted = await EvictAsync(context, tags[i]!, token).ConfigureAwait(false);
                results[i] = new TagEvicted(tags[i]!, evicted);
                total += evicted;
            }

            return new TagsEvicted(results, total);
        }, EvictionJsonContext.Default.TagsEvicted).ConfigureAwait(false);
    }

    /// <summary><c>DELETE …/entries?url=…</c>: evicts every cached response of one URL through its path tag.</summary>
    public Task EvictUrlAsync(HttpContext context)
    {
        if (Refuse(context) is { } refused)
        {
            return refused;
        }

        var urls = context.Request.Query["url"];
        if (urls.Count > 1)
        {
            return BadRequest(context, "Give one 'url' per request.");
        }

        var url = urls.ToString();
        var tag = PathTagOfUrl.TryGet(url, context.Request.Host, outputCacheOptions.Value.UseCaseSensitivePaths, out var problem);
        if (tag is null || (problem ??= TagList.FindProblem(tag, TagOptions)) is not null)
        {
            return BadRequest(context, problem!);
        }

        return RunAsync(context, async token => new UrlEvicted(url, tag, await EvictAsync(context, tag, token).ConfigureAwait(false)),
            EvictionJsonContext.Default.UrlEvicted);
    }

    private string? Validate(string?[]? tags)
    {
        if (tags is null)
        {
            return "The body must name the tags to evict: {\"tags\": [\"…\"]}.";
        }

        if (tags.Length == 0)
        {
            return "The list of tags is empty.";
        }

        var maximum = evictionOptions.Value.MaximumTagsPerRequest;
        if (tags.Length > maximum)
        {
            return $"At most {maximum} tags per request (CacheEvictionOptions.MaximumTagsPerRequest); this one names {tags.Length}. Nothing was evicted.";
        }

        for (var i = 0; i < tags.Length; i++)
        {
            if (TagList.FindProblem(tags[i], TagOptions) is { } problem)
            {
                return $"tags[{i}]: {problem} Nothing was evicted.";
            }
        }

        return null;
    }

    private async Task<long> EvictAsync(HttpContext context, string tag, CancellationToken token)
    {
        var evicted = await cache.EvictByTagAsync(tag, token).ConfigureAwait(false);
        Log.TagEvictedByRequest(logger, tag, evicted, context.User.Identity?.Name ?? "anonymous");
        return evicted;
    }

    // Eviction needs Redis: a failure is a 503, never a 200 with whatever count was reached.
    private async Task RunAsync<T>(HttpContext context, Func<CancellationToken, Task<T>> evict,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        T result;
        try
        {
            result = await evict(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisFailure.Is(exception))
        {
            Log.EvictionFailed(logger, exception);
            await Problem(context, StatusCodes.Status503ServiceUnavailable, "Cache unavailable",
                "Redis did not complete the eviction. Some entries may already be gone; the rest are not. Retrying is safe.").ConfigureAwait(false);
            return;
        }

        await context.Response.WriteAsJsonAsync(result, typeInfo, contentType: null, context.RequestAborted).ConfigureAwait(false);
    }

    private Task? Refuse(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<EvictionAuthorizationMissing>() is null)
        {
            return null;
        }

        if (Interlocked.Exchange(ref _unsecuredWarned, 1) == 0)
        {
            Log.EvictionEndpointUnsecured(logger, context.Request.Path.Value ?? string.Empty);
        }

        return Problem(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Evicting cache entries requires authorization.");
    }

    private static Task BadRequest(HttpContext context, string detail) =>
        Problem(context, StatusCodes.Status400BadRequest, "Bad eviction request", detail);

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);
}
