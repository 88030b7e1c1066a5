using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// Puts a tiny middleware in front of the whole pipeline. Response.OnStarting callbacks run last-registered first, so
/// the one registered here runs after every middleware's (a session or sign-in cookie added as the response starts),
/// and <see cref="CacheForResponse"/> sees the headers as they really leave. Only GET and HEAD, the requests
/// [CacheFor] may cache, pay for it.
/// </summary>
internal sealed class CacheForResponseGuard : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(static (context, nextMiddleware) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                CacheForResponse.Attach(context);
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
