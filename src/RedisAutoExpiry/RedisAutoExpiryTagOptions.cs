namespace RedisAutoExpiry;

/// <summary>
/// How tags are checked and how tag sets are kept free of entries Redis has expired or evicted. Reached through
/// <see cref="RedisAutoExpiryCacheOptions.Tags"/>; bound from the <c>Tags</c> section of the cache's configuration.
/// </summary>
public sealed class RedisAutoExpiryTagOptions
{
    /// <summary>Longest tag accepted, in UTF-16 characters; a longer one throws and nothing is written. Default: 256.</summary>
    public int MaximumTagLength { get; set; } = 256;

    /// <summary>Most distinct tags one entry may carry; more throws and nothing is written. Default: 64.</summary>
    public int MaximumTagsPerEntry { get; set; } = 64;

    /// <summary>
    /// Subscribes to Redis's <c>expired</c> and <c>evicted</c> keyspace events and takes each expired or evicted entry
    /// out of its tag sets as the event arrives. Turn it off only where the sweep alone is enough. Default: <see langword="true"/>.
    /// </summary>
    public bool ListenForKeyspaceNotifications { get; set; } = true;

    /// <summary>
    /// When the server's <c>notify-keyspace-events</c> lacks the flags the listener needs (<c>E</c>, <c>x</c>,
    /// <c>e</c>), adds them to the flags already set with <c>CONFIG SET</c> (never removing any). Turn it off for a
    /// server the app must not reconfigure; a warning then names the setting to add. <c>CONFIG</c> needs
    /// <c>allowAdmin=true</c> in the connection string. Default: <see langword="true"/>.
    /// </summary>
    public bool ConfigureKeyspaceNotifications { get; set; } = true;

    /// <summary>
    /// How often the repair sweep runs: it walks every tag set in small batches and removes members whose entry is
    /// gone, for the notifications that were lost. One process sweeps at a time (a Redis lock), and a sweep that ran
    /// less than half an interval ago anywhere is not repeated. It also runs after the listener reconnects.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns it off. Default: 5 minutes.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);
}
