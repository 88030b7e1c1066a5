using Microsoft.Extensions.Logging;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>Sends every category of a test app's logs to one <see cref="CapturingLogger"/>.</summary>
public sealed class CapturingLoggerProvider(CapturingLogger logger) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => logger;

    public void Dispose()
    {
    }
}
