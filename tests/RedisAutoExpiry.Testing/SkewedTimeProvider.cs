namespace RedisAutoExpiry.Testing;

/// <summary>A clock that runs at real speed but reads <see cref="Offset"/> away from the machine's.</summary>
public sealed class SkewedTimeProvider(TimeSpan offset) : TimeProvider
{
    public TimeSpan Offset { get; } = offset;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
