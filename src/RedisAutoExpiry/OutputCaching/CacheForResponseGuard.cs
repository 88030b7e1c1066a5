using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// Puts a tiny middleware in front of the whole pipeline. Response.OnStarting callbacks run last-registered first, so
/// the one registered here runs after every middleware's (a session or sign-in cookie added as the response starts),
/// and <see cref="CacheForResponse"/> sees the headers as they really leave. Only GET and HEAD, the requests
/// [CacheFor] may cache, pay for it: one callback registration and one feature (the app's
/// <see cref="CacheForServices"/>, which also says the callback is there), no allocation.
/// </summary>
internal sealed class CacheForResponseGuard : IStartupFilter
{
    /// <summary>Calls <see cref="CacheForResponse.Finish"/> when [CacheFor] took part in the request.</summary>
    public static readonly Func<object, Task> FinishCallback = static state =>
    {
        CacheForResponse.Of((HttpContext)state)?.Finish();
        return Task.CompletedTask;
    };

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var services = new CacheForServices(app.ApplicationServices, fromGuard: true);
        app.Use((context, nextMiddleware) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                context.Features.Set(services);
                context.Response.OnStarting(FinishCallback, context);
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
