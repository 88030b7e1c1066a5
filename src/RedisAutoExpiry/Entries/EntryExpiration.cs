using Microsoft.Extensions.Caching.Distributed;

namespace RedisAutoExpiry.Entries;

/// <summary>
/// An entry's expiry as Redis will be told it: durations in milliseconds (timed by Redis's clock) and an absolute
/// instant as Unix milliseconds. Zero means "not set".
/// </summary>
internal readonly record struct EntryExpiration(long RelativeMilliseconds, long AbsoluteUnixMilliseconds, long SlidingMilliseconds)
{
    public bool IsNone => RelativeMilliseconds == 0 && AbsoluteUnixMilliseconds == 0 && SlidingMilliseconds == 0;

    /// <summary>
    /// True when Redis must combine limits (or resolve an absolute instant) when the entry is written; a single
    /// duration is a plain SET with PX.
    /// </summary>
    public bool NeedsServerClock => AbsoluteUnixMilliseconds != 0 || (RelativeMilliseconds != 0 && SlidingMilliseconds != 0);

    /// <summary>A sliding entry with any absolute limit stores that limit as its cap.</summary>
    public bool HasCap => SlidingMilliseconds != 0 && (RelativeMilliseconds != 0 || AbsoluteUnixMilliseconds != 0);

    /// <summary>
    /// Turns caller options into Redis expiry. Options with no expiry take <paramref name="defaults"/>; those too
    /// may be empty only when the app opted in to entries without expiry.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An absolute expiration at or before now (by <paramref name="clock"/>), or a
    /// relative or sliding expiration that is not positive.</exception>
    public static EntryExpiration From(DistributedCacheEntryOptions options, DistributedCacheEntryOptions defaults, bool allowNone, TimeProvider clock)
    {
        if (options.AbsoluteExpiration is null && options.AbsoluteExpirationRelativeToNow is null && options.SlidingExpiration is null)
        {
            options = defaults;
        }

        long absolute = 0;
        if (options.AbsoluteExpiration is { } instant)
        {
            if (instant <= clock.GetUtcNow())
            {
                throw new ArgumentOutOfRangeException(nameof(options), instant,
                    "The absolute expiration value must be in the future.");
            }

            // Rounded up, like durations: an entry may live a fraction of a millisecond longer, never shorter.
            absolute = CeilingMilliseconds(instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks);
        }

        var expiration = new EntryExpiration(
            ToMilliseconds(options.AbsoluteExpirationRelativeToNow, "The relative expiration value must be positive."),
            absolute,
            ToMilliseconds(options.SlidingExpiration, "The sliding expiration value must be positive."));

        if (expiration.IsNone && !allowNone)
        {
            throw new InvalidOperationException(
                "The entry has no expiry and DefaultEntryOptions sets none. Set an expiry, or set " +
                nameof(RedisAutoExpiryCacheOptions.AllowEntriesWithoutExpiration) + " to store entries without a TTL.");
        }

        return expiration;
    }

    private static long ToMilliseconds(TimeSpan? duration, string message)
    {
        if (duration is not { } value)
        {
            return 0;
        }

        // DistributedCacheEntryOptions already rejects these; checked again because a subclass or a bound
        // configuration could bypass its setters, and a zero TTL would make Redis refuse the write.
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("options", value, message);
        }

        // Round sub-millisecond remainders up: a positive duration must never become a zero TTL. The ceiling is
        // clamped so TimeSpan.MaxValue (about 29,000 years) stays a valid millisecond count.
        return Math.Min(CeilingMilliseconds(value.Ticks), MaximumMilliseconds);
    }

    private static long CeilingMilliseconds(long ticks) =>
        ticks / TimeSpan.TicksPerMillisecond + (ticks % TimeSpan.TicksPerMillisecond > 0 ? 1 : 0);

    /// <summary>The longest duration, in milliseconds, that a <see cref="TimeSpan"/> can express.</summary>
    public const long MaximumMilliseconds = long.MaxValue / TimeSpan.TicksPerMillisecond;
}
