namespace RedisAutoExpiry.Tests.Resilience;

public sealed class ResilienceOptionsValidationTests
{
    [Fact]
    public void TheDefaults_AreValid_AndBoundEveryCallWellUnderARequestsBudget()
    {
        var options = Options();

        Assert.True(RedisAutoExpiryCacheOptionsValidator.Instance.Validate(null, options).Succeeded);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Resilience.OperationTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.Resilience.OutputCacheTimeout);
        Assert.Equal(5, options.Resilience.BreakAfterFailures);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Resilience.ProbeInterval);
        Assert.False(options.Resilience.FailOpen);
    }

    [Theory]
    [InlineData("OperationTimeout", 0)]
    [InlineData("OperationTimeout", 301_000)]
    [InlineData("OutputCacheTimeout", 0)]
    [InlineData("OutputCacheTimeout", 1_001)] // longer than OperationTimeout
    [InlineData("BreakAfterFailures", -1)]
    [InlineData("ProbeInterval", 5)]
    [InlineData("ProbeInterval", 61_000)]
    public void AnOutOfRangeSetting_FailsValidation_NamingIt(string setting, int value)
    {
        var options = Options();
        var resilience = options.Resilience;
        switch (setting)
        {
            case "OperationTimeout": resilience.OperationTimeout = TimeSpan.FromMilliseconds(value); break;
            case "OutputCacheTimeout": resilience.OutputCacheTimeout = TimeSpan.FromMilliseconds(value); break;
            case "BreakAfterFailures": resilience.BreakAfterFailures = value; break;
            default: resilience.ProbeInterval = TimeSpan.FromMilliseconds(value); break;
        }

        var result = RedisAutoExpiryCacheOptionsValidator.Instance.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Resilience.{setting}", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroBreakAfterFailures_TurnsTheBreakerOff_AndIsValid()
    {
        var options = Options();
        options.Resilience.BreakAfterFailures = 0;

        Assert.True(RedisAutoExpiryCacheOptionsValidator.Instance.Validate(null, options).Succeeded);
    }

    private static RedisAutoExpiryCacheOptions Options() => new() { Configuration = "127.0.0.1:1" };
}
