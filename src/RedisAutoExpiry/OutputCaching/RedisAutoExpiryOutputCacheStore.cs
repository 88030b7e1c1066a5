using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Diagnostics;
using RedisAutoExpiry.Entries;
using RedisAutoExpiry.Logging;
using RedisAutoExpiry.Redis;
using RedisAutoExpiry.Tagging;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// The output cache store on the tagged cache: a response is an entry under <c>#rae:out:</c> plus the middleware's
/// key, expiring after <c>validFor</c> by Redis's clock, its tags written with it in the same script. Evicting a tag
/// here is the same eviction as <see cref="ITaggedDistributedCache.EvictByTagAsync"/>, so one tag can name cached
/// data and the pages built from it.
/// </summary>
/// <remarks>
/// Fails open: a Get that fails in Redis (down, slow, OOM, READONLY) is a miss and a Set that fails is dropped, each
/// logged (event 25), so an outage costs caching, never requests. Both wait at most OutputCacheTimeout; while the
/// circuit breaker is open neither is even tried, nor is a Set while the last call got no answer. A failed eviction
/// is thrown to the caller: it must never look done.
/// </remarks>
internal sealed class RedisAutoExpiryOutputCacheStore(RedisAutoExpiryCache cache, StampedeProtection? stampede = null) : IOutputCacheBufferStore
{
    // The lookups run on pooled state (PoolingAsyncValueTaskMethodBuilder), as the cache's own calls do: the middleware
    // awaits each once, as a ValueTask must be, so a hit allocates no state machine.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) =>
        Counted(await ReadAsync(key).ConfigureAwait(false)) is { } response ? response.ToArray() : null;

    // What the middleware calls (it prefers the buffer store): the response goes from the bytes Redis returned
    // straight into the middleware's buffer, without a copy of its own.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> TryGetAsync(string key, PipeWriter destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (Counted(await ReadAsync(key).ConfigureAwait(false)) is not { } response)
        {
            return false;
        }

        destination.Write(response.Span);
        return true;
    }

    // Counted here, in the methods that are async anyway, rather than in a wrapper: one state machine per lookup.
    private ReadOnlyMemory<byte>? Counted(ReadOnlyMemory<byte>? response) =>
        cache.Store.Metrics.Lookup(response is not null, CacheMetrics.OutputCache) ? response : null;

    // No token: the middleware shares one lookup among the requests for a key (so one request's abort must not fail
    // the others), and StackExchange.Redis cannot cancel a sent command anyway.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entryKey = KeyLayout.OutputEntry(key);
        if (!Utf16Text.IsWellFormed(key))
        {
            return null; // see SetAsync: never stored
        }

        if (cache.Store.OutputCacheRefused)
        {
            return null; // a breaker is open: a miss at once, without an exception per request
        }

        byte[]? stored;
        try
        {
            stored = await cache.Store.GetAsync(entryKey, CancellationToken.None, CallKind.OutputCache).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisFailure.Is(exception))
        {
            // Not even the stampede lease: Redis just failed, and waiting on it would only delay the origin.
            Log.FailedOpen(cache.Logger, "Output cache Get", key, "served from the app", exception);
            return null;
        }

        if (cache.TryOpenReserved(entryKey, stored, out var response))
        {
            return response;
        }

        if (stored is not null)
        {
            return null; // a value not in our format (logged): rendering overwrites it, no lease to wait on
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
        var write = cache.PrepareReserved(entryKey, value, options, MemoryMarshal.ToEnumerable(tags)); // bad input throws, outage or not
        if (!Utf16Text.IsWellFormed(key))
        {
            // A request whose key has an unpaired surrogate would share a Redis key with another's (UTF-8 has U+FFFD
            // for both): it is served uncached rather than failed, since the key is the middleware's, not the app's.
            return;
        }

        if (cache.Store.OutputCacheFailing)
        {
            // The breaker is open, or Redis's last answer was none: this write would most likely wait out the timeout
            // too, and every request coalesced on this one with it. (A lease held here ends with its request.)
            return;
        }

        try
        {
            await cache.WriteReservedAsync(write, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisFailure.Is(exception))
        {
            Log.FailedOpen(cache.Logger, "Output cache Set", key, "dropped", exception);
            return;
        }

        stampede?.AfterStore(entryKey, value);
    }

    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken) =>
        await cache.EvictByTagAsync(tag, cancellationToken).ConfigureAwait(false);
}
