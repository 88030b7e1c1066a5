using RedisAutoExpiry.Redis;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Redis;

/// <summary>
/// The backlog setting alone. Whether calls then fail at once is checked against a real unreachable endpoint in
/// <c>RedisAutoExpiryCacheConnectionTests</c>.
/// </summary>
public sealed class ClientBacklogTests
{
    [Fact]
    public void TheClientsDefaultPolicy_BecomesFailFast()
    {
        var configuration = ConfigurationOptions.Parse("127.0.0.1:1");

        ClientBacklog.FailFastUnlessChosen(configuration);

        Assert.Same(BacklogPolicy.FailFast, configuration.BacklogPolicy);
    }

    [Fact]
    public void APolicyTheAppChose_IsKept()
    {
        var chosen = new BacklogPolicy { QueueWhileDisconnected = true, AbortPendingOnConnectionFailure = false };
        var configuration = ConfigurationOptions.Parse("127.0.0.1:1");
        configuration.BacklogPolicy = chosen;

        ClientBacklog.FailFastUnlessChosen(configuration);

        Assert.Same(chosen, configuration.BacklogPolicy);
    }
}
