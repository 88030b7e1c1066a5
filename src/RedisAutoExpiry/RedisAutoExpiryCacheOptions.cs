using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RedisAutoExpiry;

/// <summary>
/// Configuration for <see cref="RedisAutoExpiryCache"/>. The connection properties carry the same names as
/// Microsoft's <c>RedisCacheOptions</c>, so moving from <c>AddStackExchangeRedisCache</c> changes one line.
/// </summary>
public sealed class RedisAutoExpiryCacheOptions : IOptions<RedisAutoExpiryCacheOptions>
{
    /// <summary>The largest <see cref="MaximumValueSize"/> Redis can hold in one string (its 512 MB bulk limit, less our header).</summary>
    public const long MaximumValueSizeLimit = 512L * 1024 * 1024 - EntryFormatMaximumHeaderLength;

    // Kept here rather than referencing the internal header type so the public constant is self-describing.
    private const int EntryFormatMaximumHeaderLength = 18;

    private static readonly TimeSpan DefaultRelativeExpiration = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The StackExchange.Redis connection string, e.g. <c>"127.0.0.1:6379,password=..."</c>.
    /// Used when neither <see cref="ConnectionMultiplexerFactory"/> nor <see cref="ConfigurationOptions"/> is set.
    /// When all three are empty, the DI registration reads <c>ConnectionStrings:Redis</c>. Default: <see langword="null"/>.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Parsed StackExchange.Redis configuration; wins over <see cref="Configuration"/>. Default: <see langword="null"/>.
    /// </summary>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>
    /// Supplies a multiplexer the app owns (and disposes); wins over <see cref="ConfigurationOptions"/> and
    /// <see cref="Configuration"/>. The cache never disposes a multiplexer it did not create. Default: <see langword="null"/>.
    /// </summary>
    public Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>
    /// Prefix put before every key this cache writes, so several apps can share one Redis database.
    /// Default: <see langword="null"/> (no prefix).
    /// </summary>
    public string? InstanceName { get; set; }

    /// <summary>
    /// Expiry applied when a caller passes entry options with no expiry set. Default: 5 minutes relative to now
    /// (the same default as HybridCache). It must set an expiry unless <see cref="AllowEntriesWithoutExpiration"/> is on.
    /// </summary>
    public DistributedCacheEntryOptions DefaultEntryOptions { get; set; } =
        new() { AbsoluteExpirationRelativeToNow = DefaultRelativeExpiration };

    /// <summary>
    /// Opts in to entries that never expire: with this on and <see cref="DefaultEntryOptions"/> left without expiry,
    /// an entry written without expiry is stored without a TTL. Default: <see langword="false"/> (every entry has a TTL).
    /// </summary>
    public bool AllowEntriesWithoutExpiration { get; set; }

    /// <summary>
    /// Encrypts and authenticates every value (distributed cache entries and output cache responses) with ASP.NET Core
    /// Data Protection, so a Redis dump or a shared Redis reveals no cached content and a value altered in Redis is a
    /// miss. Needs <c>services.AddDataProtection()</c> with keys every app instance shares. With this on, entries
    /// stored without protection are misses, and with it off, protected ones are (each with a log line). Keys, tags and
    /// TTLs stay readable. Default: <see langword="false"/>. See docs/security.md.
    /// </summary>
    public bool ProtectPayloads { get; set; }

    /// <summary>
    /// Largest value, in bytes, that Set accepts; a larger one throws <see cref="ArgumentOutOfRangeException"/> and
    /// nothing is written. Default: 64 MiB. At most <see cref="MaximumValueSizeLimit"/>.
    /// </summary>
    public long MaximumValueSize { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Clock used only to reject an <see cref="DistributedCacheEntryOptions.AbsoluteExpiration"/> that has already
    /// passed. Relative and sliding expiry never read it: Redis's clock times them. Default: <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Stampede protection across instances for output caching. When a cacheable response is missing, the first
    /// request to notice (on any instance sharing this Redis and <see cref="InstanceName"/>) takes a lease in Redis for
    /// this long and renders it; concurrent requests elsewhere wait for its response instead of rendering their own,
    /// and are served it as soon as it is stored. A response that turns out not to be storable ends the lease at once.
    /// A waiter never waits longer than the lease; after that it renders the response itself. Zero turns the
    /// protection off (the middleware's locking within one process remains). Default: 5 s; at most 1 minute.
    /// </summary>
    public TimeSpan OutputCacheLease { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeouts, the circuit breaker, and fail-open for reads and writes: what happens when Redis is down or slow.</summary>
    public RedisAutoExpiryResilienceOptions Resilience { get; } = new();

    /// <summary>Tag limits, and how tag sets are kept clean (keyspace notifications and the repair sweep).</summary>
    public RedisAutoExpiryTagOptions Tags { get; } = new();

    RedisAutoExpiryCacheOptions IOptions<RedisAutoExpiryCacheOptions>.Value => this;
}
