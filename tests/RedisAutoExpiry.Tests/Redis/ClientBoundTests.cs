using Microsoft.Extensions.Logging.Abstractions;
using RedisAutoExpiry.Redis;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Redis;

/// <summary>
/// The client settings that let the client end the app's async calls at OperationTimeout, alone. That such calls do
/// end in time on a paused server is checked in <c>OperationTimeoutTests</c>.
/// </summary>
public sealed class ClientBoundTests
{
    [Fact]
    public void AMultiplexerTheCacheCreates_TimesOutAsyncCalls_AtTheOperationTimeout_CheckedATenthOfItApart()
    {
        using var connection = ConnectionFor(TimeSpan.FromMilliseconds(400), "127.0.0.1:1");

        var configuration = connection.BuildConfiguration()!;

        Assert.True(connection.ClientBoundsCalls);
        Assert.Equal(400, configuration.SyncTimeout);
        Assert.Equal(400, configuration.AsyncTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(40), configuration.HeartbeatInterval);
    }

    [Fact]
    public void AHeartbeatTheAppSetShorter_IsKept()
    {
        var options = new ConfigurationOptions { EndPoints = { "127.0.0.1:1" }, HeartbeatInterval = TimeSpan.FromMilliseconds(20) };
        using var connection = ConnectionFor(TimeSpan.FromSeconds(1), options);

        Assert.Equal(TimeSpan.FromMilliseconds(20), connection.BuildConfiguration()!.HeartbeatInterval);
    }

    [Fact]
    public void AnOperationTimeoutUnder100Ms_KeepsTheCachesOwnBound_AndTheClientsHeartbeat()
    {
        using var connection = ConnectionFor(TimeSpan.FromMilliseconds(50), "127.0.0.1:1");

        var configuration = connection.BuildConfiguration()!;

        Assert.False(connection.ClientBoundsCalls);
        Assert.Equal(new ConfigurationOptions().HeartbeatInterval, configuration.HeartbeatInterval);
    }

    [Fact]
    public void AMultiplexerTheAppSupplies_IsLeftAlone_AndTheCacheBoundsItsCalls()
    {
        var options = new RedisAutoExpiryCacheOptions
        {
            ConnectionMultiplexerFactory = () => throw new InvalidOperationException("never connected here"),
        };
        using var connection = new RedisConnection(options, NullLogger.Instance);

        Assert.False(connection.ClientBoundsCalls);
        Assert.Null(connection.BuildConfiguration());
    }

    private static RedisConnection ConnectionFor(TimeSpan operationTimeout, string configuration) =>
        new(new RedisAutoExpiryCacheOptions { Configuration = configuration, Resilience = { OperationTimeout = operationTimeout } }, NullLogger.Instance);

    private static RedisConnection ConnectionFor(TimeSpan operationTimeout, ConfigurationOptions configuration) =>
        new(new RedisAutoExpiryCacheOptions { ConfigurationOptions = configuration, Resilience = { OperationTimeout = operationTimeout } }, NullLogger.Instance);
}
