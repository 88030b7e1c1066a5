using Microsoft.Extensions.Options;

namespace RedisAutoExpiry;

/// <summary>Checks options once, at startup or construction, so a misconfiguration fails early rather than on a Set.</summary>
internal sealed class RedisAutoExpiryCacheOptionsValidator : IValidateOptions<RedisAutoExpiryCacheOptions>
{
    public static readonly RedisAutoExpiryCacheOptionsValidator Instance = new();

    // PeriodicTimer's limit (uint.MaxValue - 1 ms, about 49.7 days).
    private static readonly TimeSpan MaximumSweepInterval = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public ValidateOptionsResult Validate(string? name, RedisAutoExpiryCacheOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Configuration) && options.ConfigurationOptions is null && options.ConnectionMultiplexerFactory is null)
        {
            failures.Add("No Redis connection is configured. Set Configuration, ConfigurationOptions or ConnectionMultiplexerFactory, " +
                "or add a connection string named \"Redis\" (ConnectionStrings:Redis).");
        }

        // Redis counts the lease in whole milliseconds: anything between zero and 1 ms would be sent as PX 0.
        if (options.OutputCacheLease != TimeSpan.Zero
            && (options.OutputCacheLease < TimeSpan.FromMilliseconds(1) || options.OutputCacheLease > TimeSpan.FromMinutes(1)))
        {
            failures.Add($"OutputCacheLease must be zero (off) or between 1 ms and 1 minute; it is {options.OutputCacheLease}.");
        }

        if (options.MaximumValueSize is <= 0 or > RedisAutoExpiryCacheOptions.MaximumValueSizeLimit)
        {
            failures.Add($"MaximumValueSize must be between 1 and {RedisAutoExpiryCacheOptions.MaximumValueSizeLimit} bytes; it is {options.MaximumValueSize}.");
        }

        if (options.DefaultEntryOptions is null)
        {
            failures.Add("DefaultEntryOptions must not be null.");
        }
        else if (options.DefaultEntryOptions.AbsoluteExpiration is not null)
        {
            failures.Add("DefaultEntryOptions must not set AbsoluteExpiration: a fixed instant would soon lie in the past. Use AbsoluteExpirationRelativeToNow.");
        }
        else if (options.DefaultEntryOptions.AbsoluteExpirationRelativeToNow is null
            && options.DefaultEntryOptions.SlidingExpiration is null
            && !options.AllowEntriesWithoutExpiration)
        {
            failures.Add("DefaultEntryOptions sets no expiry. Set one, or set AllowEntriesWithoutExpiration to store entries without a TTL.");
        }

        if (options.TimeProvider is null)
        {
            failures.Add("TimeProvider must not be null.");
        }

        if (options.Tags.MaximumTagLength <= 0 || options.Tags.MaximumTagsPerEntry <= 0)
        {
            failures.Add("Tags.MaximumTagLength and Tags.MaximumTagsPerEntry must be positive.");
        }

        if (options.Tags.SweepInterval != Timeout.InfiniteTimeSpan
            && (options.Tags.SweepInterval <= TimeSpan.Zero || options.Tags.SweepInterval > MaximumSweepInterval))
        {
            failures.Add($"Tags.SweepInterval must be between 1 ms and {MaximumSweepInterval.TotalDays:0} days, or Timeout.InfiniteTimeSpan to turn the periodic sweep off.");
        }

        var resilience = options.Resilience;
        if (resilience.OperationTimeout < TimeSpan.FromMilliseconds(1) || resilience.OperationTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Resilience.OperationTimeout must be between 1 ms and 5 minutes; it is {resilience.OperationTimeout}.");
        }

        if (resilience.OutputCacheTimeout < TimeSpan.FromMilliseconds(1) || resilience.OutputCacheTimeout > resilience.OperationTimeout)
        {
            failures.Add($"Resilience.OutputCacheTimeout must be between 1 ms and OperationTimeout; it is {resilience.OutputCacheTimeout}.");
        }

        if (resilience.BreakAfterFailures < 0)
        {
            failures.Add($"Resilience.BreakAfterFailures must be zero (no breaker) or positive; it is {resilience.BreakAfterFailures}.");
        }

        if (resilience.ProbeInterval < TimeSpan.FromMilliseconds(10) || resilience.ProbeInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Resilience.ProbeInterval must be between 10 ms and 1 minute; it is {resilience.ProbeInterval}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
