using Microsoft.AspNetCore.Mvc;

namespace RedisAutoExpiry.TestWebApp.Controllers;

/// <summary>One action per setting of [CacheFor] the tests exercise.</summary>
[ApiController]
[Route("pages")]
public sealed class PagesController(RenderCounter counter) : ControllerBase
{
    [HttpGet("plain")]
    [CacheFor(30)]
    public IResult Plain() => counter.Render(HttpContext, "plain");

    [HttpGet("short")]
    [CacheFor(1)]
    public IResult Short() => counter.Render(HttpContext, "short");

    [HttpGet("by-header")]
    [CacheFor(30, VaryByHeader = ["X-Region"])]
    public IResult ByHeader() => counter.Render(HttpContext, $"region {Request.Headers["X-Region"]}");

    [HttpGet("by-encoding")]
    [CacheFor(30, VaryByHeader = ["Accept-Encoding"])]
    public IResult ByEncoding() => counter.Render(HttpContext, "by encoding");

    [HttpGet("by-query")]
    [CacheFor(30, VaryByQuery = ["page"])]
    public IResult ByQuery() => counter.Render(HttpContext, $"page {Request.Query["page"]}");

    [HttpGet("by-route/{kind}/{slug}")]
    [CacheFor(30, VaryByRouteValue = ["kind"], Tags = ["kind:{kind}"])]
    public IResult ByRoute(string kind, string slug) => counter.Render(HttpContext, $"{kind}/{slug}");

    [HttpGet("optional/{id?}")]
    [CacheFor(30, Tags = ["optional:{id}"])]
    public IResult Optional(string? id) => counter.Render(HttpContext, $"optional {id}");

    [HttpGet("public")]
    [CacheFor(30, ClientDuration = 30)]
    public IResult Public() => counter.Render(HttpContext, "public");

    [HttpGet("private")]
    [CacheFor(20, Location = ResponseCacheLocation.Client)]
    public IResult Private() => counter.Render(HttpContext, "private");

    [HttpGet("shorter-client")]
    [CacheFor(30, ClientDuration = 10, Location = ResponseCacheLocation.Client)]
    public IResult ShorterClient() => counter.Render(HttpContext, "shorter client");

    [HttpGet("cookie")]
    [CacheFor(30, ClientDuration = 30)]
    public IResult Cookie()
    {
        Response.Cookies.Append("session", "abc");
        return counter.Render(HttpContext, "cookie");
    }

    [HttpGet("missing")]
    [CacheFor(30, ClientDuration = 30)]
    public IResult Missing()
    {
        counter.Render(HttpContext, "missing");
        return Results.NotFound();
    }

    [HttpGet("missing-cached")]
    [CacheFor(30, CacheableStatusCodes = [200, 404])]
    public IResult MissingCached()
    {
        counter.Render(HttpContext, "missing");
        return Results.NotFound();
    }

    [HttpGet("own-etag")]
    [CacheFor(30)]
    public IResult OwnETag()
    {
        Response.Headers.ETag = "\"v1\"";
        return counter.Render(HttpContext, "own etag");
    }

    [HttpGet("no-store")]
    [CacheFor(30)]
    public IResult NoStore()
    {
        Response.Headers.CacheControl = "no-store";
        return counter.Render(HttpContext, "no store");
    }

    [HttpGet("private-own")]
    [CacheFor(30)]
    public IResult PrivateOwn()
    {
        Response.Headers.CacheControl = "private, max-age=5";
        return counter.Render(HttpContext, $"private for {Request.Headers["X-User"]}");
    }

    [HttpGet("bare")]
    [CacheFor(30)]
    public IResult Bare()
    {
        Response.Headers.Remove("Cache-Control");
        Response.Headers.Remove("ETag");
        return counter.Render(HttpContext, "bare");
    }

    [HttpGet("own-304")]
    [CacheFor(30)]
    public IResult OwnNotModified()
    {
        counter.Render(HttpContext, "own 304");
        return Results.StatusCode(StatusCodes.Status304NotModified);
    }

    /// <summary>Slow enough that concurrent requests for one key wait on the first (the middleware's locking).</summary>
    [HttpGet("slow")]
    [CacheFor(30)]
    public async Task<IResult> Slow(int size, CancellationToken token)
    {
        await Task.Delay(300, token);
        return counter.Render(HttpContext, new string('s', size));
    }

    /// <summary>Slow, and never stored: a 404.</summary>
    [HttpGet("slow-missing")]
    [CacheFor(30)]
    public async Task<IResult> SlowMissing(CancellationToken token)
    {
        await Task.Delay(300, token);
        counter.Render(HttpContext, "slow missing");
        return Results.NotFound();
    }

    /// <summary>Written in pieces without a Content-Length, as a streamed JSON body is.</summary>
    [HttpGet("streamed")]
    [CacheFor(30)]
    public async Task Streamed(int size, CancellationToken token)
    {
        await Task.Delay(300, token);
        counter.Render(HttpContext, "streamed");
        var chunk = new byte[100];
        Array.Fill(chunk, (byte)'z');
        for (var written = 0; written < size; written += chunk.Length)
        {
            await Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, size - written)), token);
        }
    }

    [HttpGet("large")]
    [CacheFor(30)]
    public IResult Large(int size) => counter.Render(HttpContext, new string('x', size));

    [HttpGet("shared")]
    [CacheFor(30, CacheAuthenticatedRequests = true)]
    public IResult Shared() => counter.Render(HttpContext, "shared");
}
