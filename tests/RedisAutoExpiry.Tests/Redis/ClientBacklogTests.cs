using System.Reflection;
using RedisAutoExpiry.Redis;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Redis;

/// <summary>
/// The backlog setting on whichever client the suite was built against (1.2.6 by default; 2.x with
/// <c>-p:StackExchangeRedisVersion</c>, see README). Whether calls then fail at once is checked against a real
/// unreachable endpoint in <c>RedisAutoExpiryCacheConnectionTests</c>.
/// </summary>
public sealed class ClientBacklogTests
{
    private static readonly PropertyInfo? Policy = typeof(ConfigurationOptions).GetProperty("BacklogPolicy");
    private static readonly int ClientMajor = typeof(ConfigurationOptions).Assembly.GetName().Version!.Major;

    [Fact]
    public void TheClientsDefaultPolicy_BecomesFailFast_WhereTheClientHasOne()
    {
        var configuration = ConfigurationOptions.Parse("127.0.0.1:1");

        ClientBacklog.FailFastUnlessChosen(configuration);

        if (ClientMajor == 1)
        {
            Assert.Null(Policy); // 1.x has no backlog: it fails at once by itself
            return;
        }

        Assert.Same(Policy!.PropertyType.GetProperty("FailFast")!.GetValue(null), Policy.GetValue(configuration));
    }

    [Fact]
    public void APolicyTheAppChose_IsKept()
    {
        Assert.True(ClientMajor == 1 || Policy is not null, "a 2.x client without BacklogPolicy");
        if (Policy is null)
        {
            return; // nothing to choose on 1.x
        }

        var configuration = ConfigurationOptions.Parse("127.0.0.1:1");
        var chosen = Activator.CreateInstance(Policy.PropertyType)!;
        Policy.SetValue(configuration, chosen);

        ClientBacklog.FailFastUnlessChosen(configuration);

        Assert.Same(chosen, Policy.GetValue(configuration));
    }
}
