using Microsoft.Extensions.Hosting;
using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Hosting;

/// <summary>
/// Connects the cache when the app starts, so tag maintenance (listener and sweep) runs from the start and a server
/// that refuses scripts stops the start with a message that says why. An unreachable Redis does not stop the start:
/// the connection keeps retrying, as it would on first use.
/// </summary>
internal sealed class RedisAutoExpiryStartup(RedisAutoExpiryCache cache) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await cache.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not ScriptingRefusedException and not OperationCanceledException)
        {
            // Logged by the connection (event 5); calls retry.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
