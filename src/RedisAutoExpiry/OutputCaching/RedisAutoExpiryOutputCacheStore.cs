using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Tagging;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// The output cache store on the tagged cache: a response is an entry under <c>#rae:out:</c> plus the middleware's
/// key, expiring after <c>validFor</c> by Redis's clock, its tags written with it in the same script. Evicting a tag
/// here is the same eviction as <see cref="ITaggedDistributedCache.EvictByTagAsync"/>, so one tag can name cached
/// data and the pages built from it.
/// </summary>
/// <remarks>
/// Redis errors are thrown: the middleware logs a failed Get or Set and carries on as a miss, so a Redis outage costs
/// caching, not requests; a failed eviction reaches the caller.
/// </remarks>
internal sealed class RedisAutoExpiryOutputCacheStore(RedisAutoExpiryCache cache, StampedeProtection? stampede = null) : IOutputCacheBufferStore
{
    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        await ReadAsync(key).ConfigureAwait(false) is { } response ? response.ToArray() : null;

    // What the middleware calls (it prefers the buffer store): the response goes from the bytes Redis returned
    // straight into the middleware's buffer, without a copy of its own.
    public async ValueTask<bool> TryGetAsync(string key, PipeWriter destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (await ReadAsync(key).ConfigureAwait(false) is not { } response)
        {
            return false;
        }

        destination.Write(response.Span);
        return true;
    }

    // No token: the middleware shares one lookup among the requests for a key (so one request's abort must not fail
    // the others), and StackExchange.Redis 1.2.6 cannot cancel a sent command anyway.
    private async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entryKey = KeyLayout.OutputEntry(key);
        var stored = await cache.Store.GetAsync(entryKey, CancellationToken.None).ConfigureAwait(false);
        if (cache.TryOpenReserved(entryKey, stored, out var headerLength))
        {
            return stored.AsMemory(headerLength);
        }

        // An array converts to ReadOnlyMemory even when null (as empty): test it first.
        if (stampede is not null && await stampede.AfterMissAsync(entryKey).ConfigureAwait(false) is { } landed)
        {
            return landed;
        }

        return null;
    }

    public ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        return SetAsync(key, new ReadOnlySequence<byte>(value), tags ?? [], validFor, cancellationToken);
    }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validFor"/> is not positive, or the response is larger
    /// than <see cref="RedisAutoExpiryCacheOptions.MaximumValueSize"/>; nothing is written.</exception>
    /// <exception cref="ArgumentException">A tag is invalid (see <see cref="ITaggedDistributedCache"/>); nothing is written.</exception>
    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, ReadOnlyMemory<string> tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);

        // DistributedCacheEntryOptions refuses a validFor that is zero or negative with ArgumentOutOfRangeException.
        var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = validFor };
        var entryKey = KeyLayout.OutputEntry(key);
        await cache.SetReservedAsync(entryKey, value, options, MemoryMarshal.ToEnumerable(tags), cancellationToken).ConfigureAwait(false);
        stampede?.AfterStore(entryKey, value);
    }

    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken) =>
        await cache.EvictByTagAsync(tag, cancellationToken).ConfigureAwait(false);
}
