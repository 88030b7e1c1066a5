using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedisAutoExpiry.Entries;
using RedisAutoExpiry.Logging;
using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry;

/// <summary>
/// An <see cref="IDistributedCache"/> on Redis whose entries expire exactly as asked: Redis itself enforces every TTL
/// (in milliseconds, by its own clock), and each call is one awaited network round trip, sliding Gets included.
/// </summary>
/// <remarks>
/// Errors from Redis are thrown to the caller, as Microsoft's RedisCache does. A cancellation token stops the wait
/// before the command is sent or while it is in flight; a command already sent may still take effect.
/// </remarks>
public sealed class RedisAutoExpiryCache : IBufferDistributedCache, IDisposable, IAsyncDisposable
{
    private readonly RedisStore _store;
    private readonly RedisAutoExpiryCacheOptions _options;
    private readonly ILogger _logger;
    private readonly string _prefix;

    /// <summary>Creates a cache; it connects on first use.</summary>
    /// <exception cref="OptionsValidationException">The options are inconsistent (see <see cref="RedisAutoExpiryCacheOptions"/>).</exception>
    public RedisAutoExpiryCache(IOptions<RedisAutoExpiryCacheOptions> optionsAccessor)
        : this(optionsAccessor, NullLogger<RedisAutoExpiryCache>.Instance)
    {
    }

    /// <summary>Creates a cache that logs to <paramref name="logger"/>; it connects on first use.</summary>
    /// <exception cref="OptionsValidationException">The options are inconsistent (see <see cref="RedisAutoExpiryCacheOptions"/>).</exception>
    public RedisAutoExpiryCache(IOptions<RedisAutoExpiryCacheOptions> optionsAccessor, ILogger<RedisAutoExpiryCache> logger)
    {
        ArgumentNullException.ThrowIfNull(optionsAccessor);
        ArgumentNullException.ThrowIfNull(logger);
        _options = optionsAccessor.Value;
        var validation = RedisAutoExpiryCacheOptionsValidator.Instance.Validate(Options.DefaultName, _options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RedisAutoExpiryCacheOptions), validation.Failures);
        }

        _logger = logger;
        _prefix = _options.InstanceName ?? string.Empty;
        _store = new RedisStore(new RedisConnection(_options, logger), logger);
    }

    /// <inheritdoc />
    public byte[]? Get(string key)
    {
        var redisKey = RedisKeyOf(key);
        return ToValue(redisKey, _store.Get(redisKey));
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var redisKey = RedisKeyOf(key);
        token.ThrowIfCancellationRequested();
        return ToValue(redisKey, await _store.GetAsync(redisKey, token).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public bool TryGet(string key, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var redisKey = RedisKeyOf(key);
        return CopyValue(redisKey, _store.Get(redisKey), destination);
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var redisKey = RedisKeyOf(key);
        token.ThrowIfCancellationRequested();
        return CopyValue(redisKey, await _store.GetAsync(redisKey, token).ConfigureAwait(false), destination);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="key"/>, <paramref name="value"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The value is larger than <see cref="RedisAutoExpiryCacheOptions.MaximumValueSize"/>,
    /// or the absolute expiration has passed; nothing is written.</exception>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        _store.Write(PrepareWrite(key, new ReadOnlySequence<byte>(value), options));
    }

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions)" />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var write = PrepareWrite(key, new ReadOnlySequence<byte>(value), options);
        token.ThrowIfCancellationRequested();
        return _store.WriteAsync(write, token);
    }

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions)" />
    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) =>
        _store.Write(PrepareWrite(key, value, options));

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions)" />
    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        var write = PrepareWrite(key, value, options);
        token.ThrowIfCancellationRequested();
        await _store.WriteAsync(write, token).ConfigureAwait(false);
    }

    /// <summary>
    /// Extends a sliding entry by its window, never past its absolute cap; does nothing to other entries. The
    /// extension has taken effect when the call returns.
    /// </summary>
    public void Refresh(string key) => _store.Extend(RedisKeyOf(key));

    /// <inheritdoc cref="Refresh(string)" />
    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        var redisKey = RedisKeyOf(key);
        token.ThrowIfCancellationRequested();
        await _store.ExtendAsync(redisKey, token).ConfigureAwait(false);
    }

    /// <summary>Deletes an entry. A Redis error is thrown, never swallowed: a removal that failed is not reported as done.</summary>
    public void Remove(string key) => _store.Delete(RedisKeyOf(key));

    /// <inheritdoc cref="Remove(string)" />
    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        var redisKey = RedisKeyOf(key);
        token.ThrowIfCancellationRequested();
        return _store.DeleteAsync(redisKey, token);
    }

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _store.DisposeAsync();

    private string RedisKeyOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _prefix.Length == 0 ? key : string.Concat(_prefix, key);
    }

    private EntryWrite PrepareWrite(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options)
    {
        var redisKey = RedisKeyOf(key);
        ArgumentNullException.ThrowIfNull(options);
        if (value.Length > _options.MaximumValueSize)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value.Length,
                $"The value is {value.Length} bytes; MaximumValueSize allows {_options.MaximumValueSize}. Nothing was written.");
        }

        var expiration = EntryExpiration.From(options, _options.DefaultEntryOptions, _options.AllowEntriesWithoutExpiration, _options.TimeProvider);
        return EntryWrite.Create(redisKey, value, expiration);
    }

    private byte[]? ToValue(string redisKey, byte[]? stored) =>
        TryOpen(redisKey, stored, out var header) ? stored.AsSpan(header.Length).ToArray() : null;

    private bool CopyValue(string redisKey, byte[]? stored, IBufferWriter<byte> destination)
    {
        if (!TryOpen(redisKey, stored, out var header))
        {
            return false;
        }

        destination.Write(stored.AsSpan(header.Length));
        return true;
    }

    // Reads the header of a fetched entry and, for a sliding one, sends its refresh without waiting.
    private bool TryOpen(string redisKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] byte[]? stored, out EntryHeader header)
    {
        header = default;
        if (stored is null)
        {
            return false;
        }

        if (!EntryHeader.TryRead(stored, out header))
        {
            Log.InvalidEntry(_logger, redisKey);
            return false;
        }

        if (header.IsSliding)
        {
            _store.ExtendInBackground(redisKey, stored.AsSpan(0, header.Length).ToArray());
        }

        return true;
    }
}
