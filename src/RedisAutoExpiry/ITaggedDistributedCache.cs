using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;

namespace RedisAutoExpiry;

/// <summary>
/// A distributed cache whose entries carry tags and can be evicted by tag. Registered by
/// <c>AddRedisAutoExpiryCache</c> next to <see cref="IDistributedCache"/>, on the same instance.
/// </summary>
/// <remarks>
/// Tags are plain strings compared ordinally: any Unicode, spaces and <c>* ? [ ]</c> are data, never patterns. A Set
/// replaces the entry's tags with the ones given (a Set without tags leaves it untagged). On one Redis node an entry
/// and its tag memberships are written in one atomic step. See docs/tags.md.
/// </remarks>
public interface ITaggedDistributedCache : IBufferDistributedCache
{
    /// <summary>Sets an entry carrying <paramref name="tags"/>; any tags it had before and not now are dropped.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/>, <paramref name="value"/>, <paramref name="options"/> or <paramref name="tags"/> is null.</exception>
    /// <exception cref="ArgumentException">A tag is null, empty, whitespace, longer than
    /// <see cref="RedisAutoExpiryTagOptions.MaximumTagLength"/> or not valid UTF-16, or there are more than
    /// <see cref="RedisAutoExpiryTagOptions.MaximumTagsPerEntry"/> distinct tags; nothing is written.</exception>
    void Set(string key, byte[] value, DistributedCacheEntryOptions options, IEnumerable<string> tags);

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions, IEnumerable{string})" />
    Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, IEnumerable<string> tags, CancellationToken token = default);

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions, IEnumerable{string})" />
    void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, IEnumerable<string> tags);

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions, IEnumerable{string})" />
    ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, IEnumerable<string> tags, CancellationToken token = default);

    /// <summary>
    /// Removes every entry that carried <paramref name="tag"/> when the call began, in bounded batches, and returns
    /// how many entries it deleted (entries Redis had already expired are not counted). An entry written with the tag
    /// while the eviction runs may or may not be removed; if it survives, it is still in the tag's set.
    /// </summary>
    /// <exception cref="ArgumentException">The tag is null, empty, whitespace, too long or not valid UTF-16.</exception>
    /// <exception cref="OperationCanceledException">Cancelled between batches; the batches already done stay done.</exception>
    Task<long> EvictByTagAsync(string tag, CancellationToken token = default);

    /// <summary>Evicts each of <paramref name="tags"/> in turn; an entry carrying several of them is counted once.</summary>
    /// <exception cref="ArgumentException">A tag is invalid; nothing is evicted.</exception>
    Task<long> EvictByTagsAsync(IEnumerable<string> tags, CancellationToken token = default);

    /// <summary>
    /// Gets a value and its remaining time to live as Redis reports it (PTTL), read in the same round trip. A sliding
    /// entry is extended first, as by Get, so the TTL is the extended one. Null on a miss.
    /// </summary>
    Task<CacheValueWithTimeToLive?> GetWithTimeToLiveAsync(string key, CancellationToken token = default);
}
