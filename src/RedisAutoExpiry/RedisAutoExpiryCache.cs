using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedisAutoExpiry.Diagnostics;
using RedisAutoExpiry.Entries;
using RedisAutoExpiry.Logging;
using RedisAutoExpiry.Redis;
using RedisAutoExpiry.Tagging;

namespace RedisAutoExpiry;

/// <summary>
/// An <see cref="IDistributedCache"/> on Redis whose entries expire exactly as asked: Redis itself enforces every TTL
/// (in milliseconds, by its own clock), and each call is one awaited network round trip, sliding Gets included.
/// Entries may carry tags and be evicted by tag (<see cref="ITaggedDistributedCache"/>).
/// </summary>
/// <remarks>
/// Errors from Redis are thrown to the caller, as Microsoft's RedisCache does, unless
/// <see cref="RedisAutoExpiryResilienceOptions.FailOpen"/> turns failed reads into misses and failed writes into no-ops;
/// Remove and evictions always throw. Every Redis command waits at most
/// <see cref="RedisAutoExpiryResilienceOptions.OperationTimeout"/> (an eviction sends one per page), and none is sent
/// while the circuit breaker is open (<see cref="RedisUnavailableException"/>). A cancellation token stops the wait before the command is sent or while
/// it is in flight; a command already sent may still take effect. Keys must not start with <c>#rae:</c>: the cache
/// keeps its tag sets and indexes under that prefix.
/// </remarks>
public sealed class RedisAutoExpiryCache : ITaggedDistributedCache, IDisposable, IAsyncDisposable
{
    private readonly RedisStore _store;
    private readonly TagMaintenance _maintenance;
    private readonly ForgetQueue _forget;
    private readonly RedisAutoExpiryCacheOptions _options;
    private readonly ILogger _logger;
    private readonly IDataProtector? _protector;
    private readonly SlidingReads _slidingReads = new();
    private readonly Func<string, byte[]?, byte[]?> _plainValue;

    /// <summary>The Data Protection purpose of payloads; InstanceName is appended, so apps cannot read each other's.</summary>
    internal const string ProtectionPurpose = "RedisAutoExpiry.Payload.v1";

    /// <summary>Creates a cache; it connects on first use.</summary>
    /// <exception cref="OptionsValidationException">The options are inconsistent (see <see cref="RedisAutoExpiryCacheOptions"/>).</exception>
    public RedisAutoExpiryCache(IOptions<RedisAutoExpiryCacheOptions> optionsAccessor)
        : this(optionsAccessor, NullLogger<RedisAutoExpiryCache>.Instance)
    {
    }

    /// <summary>Creates a cache that logs to <paramref name="logger"/>; it connects on first use.</summary>
    /// <exception cref="OptionsValidationException">The options are inconsistent (see <see cref="RedisAutoExpiryCacheOptions"/>).</exception>
    public RedisAutoExpiryCache(IOptions<RedisAutoExpiryCacheOptions> optionsAccessor, ILogger<RedisAutoExpiryCache> logger)
        : this(optionsAccessor, logger, null)
    {
    }

    /// <summary>
    /// Creates a cache that logs to <paramref name="logger"/>, creates its meter (<see cref="RedisAutoExpiryDiagnostics.MeterName"/>)
    /// with <paramref name="meterFactory"/>, and protects payloads with <paramref name="dataProtectionProvider"/> when
    /// <see cref="RedisAutoExpiryCacheOptions.ProtectPayloads"/> is on (dependency injection passes the app's); it
    /// connects on first use.
    /// </summary>
    /// <exception cref="OptionsValidationException">The options are inconsistent (see <see cref="RedisAutoExpiryCacheOptions"/>).</exception>
    /// <exception cref="InvalidOperationException"><see cref="RedisAutoExpiryCacheOptions.ProtectPayloads"/> is on and no
    /// <paramref name="dataProtectionProvider"/> was given (call <c>services.AddDataProtection()</c>).</exception>
    public RedisAutoExpiryCache(IOptions<RedisAutoExpiryCacheOptions> optionsAccessor, ILogger<RedisAutoExpiryCache> logger, IMeterFactory? meterFactory,
        IDataProtectionProvider? dataProtectionProvider = null)
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
        if (_options.ProtectPayloads)
        {
            _protector = (dataProtectionProvider ?? throw new InvalidOperationException(
                    "ProtectPayloads is on, but no IDataProtectionProvider was given: call services.AddDataProtection(), with keys every app instance shares."))
                .CreateProtector(ProtectionPurpose, _options.InstanceName ?? string.Empty);
        }

        _store = new RedisStore(new RedisConnection(_options, logger), new KeyLayout(_options.InstanceName), _options.Resilience,
            new CacheMetrics(meterFactory, _options.InstanceName), logger);
        _forget = new ForgetQueue(_store, logger);
        _maintenance = new TagMaintenance(_store, _forget, _options.Tags, logger);
        _plainValue = (key, stored) => ToValue(key, stored, default);
    }

    internal TagMaintenance Maintenance => _maintenance;

    internal ForgetQueue ForgetQueue => _forget;

    internal RedisStore Store => _store;

    internal RedisAutoExpiryCacheOptions CurrentOptions => _options;

    internal ILogger Logger => _logger;

    /// <summary>Connects now rather than on first use (which also starts tag maintenance).</summary>
    internal async Task ConnectAsync(CancellationToken token) =>
        await _store.Connection.GetDatabaseAsync(token).ConfigureAwait(false);

    /// <inheritdoc />
    public byte[]? Get(string key)
    {
        CheckKey(key);
        var read = _slidingReads.Begin(key);
        try
        {
            return ToValue(key, Read(key, read), read);
        }
        finally
        {
            _slidingReads.End(read);
        }
    }

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => GetValueAsync(key, token).AsTask();

    // GetAsync's work, on pooled state: the task the interface needs is then the runtime's wrapper of a pending
    // ValueTask (80 bytes), where an async Task method allocates its whole state machine with it each call (160 bytes).
    // A plain Get (a key not known to slide, without FailOpen) is the store's call alone, which converts the reply
    // itself: one pooled state machine per Get rather than two. Bad input still fails the task, not the call.
    private ValueTask<byte[]?> GetValueAsync(string key, CancellationToken token)
    {
        try
        {
            CheckKey(key);
        }
        catch (ArgumentException exception)
        {
            return ValueTask.FromException<byte[]?>(exception);
        }

        if (token.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<byte[]?>(token);
        }

        var read = _slidingReads.Begin(key);
        return read.Known || _options.Resilience.FailOpen ? GetTrackedAsync(key, read, token) : _store.GetAsync(key, _plainValue, token);
    }

    // A Get of a key known to slide (which must end its SlidingRead once done), or one that fails open.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<byte[]?> GetTrackedAsync(string key, SlidingRead read, CancellationToken token)
    {
        try
        {
            return ToValue(key, await ReadAsync(key, read, token).ConfigureAwait(false), read);
        }
        finally
        {
            _slidingReads.End(read);
        }
    }

    /// <inheritdoc />
    public bool TryGet(string key, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckKey(key);
        var read = _slidingReads.Begin(key);
        try
        {
            return CopyValue(key, Read(key, read), read, destination);
        }
        finally
        {
            _slidingReads.End(read);
        }
    }

    /// <inheritdoc />
    /// <remarks>Await the result once, as with any <see cref="ValueTask{TResult}"/>: its state is pooled, not allocated per call.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckKey(key);
        token.ThrowIfCancellationRequested();
        var read = _slidingReads.Begin(key);
        try
        {
            return CopyValue(key, await ReadAsync(key, read, token).ConfigureAwait(false), read, destination);
        }
        finally
        {
            _slidingReads.End(read);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// An entry that carried tags loses them: evicting them no longer removes it. Its old memberships stay in their tag
    /// sets until an eviction or the sweep drops them, so that this Set stays a plain <c>SET</c> (see docs/tags.md).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="key"/>, <paramref name="value"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> starts with <c>#rae:</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The value is larger than <see cref="RedisAutoExpiryCacheOptions.MaximumValueSize"/>,
    /// or the absolute expiration has passed; nothing is written.</exception>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Set(key, value, options, []);

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions)" />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        SetAsync(key, value, options, [], token);

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions)" />
    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options) => Set(key, value, options, []);

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions)" />
    public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        SetAsync(key, value, options, [], token);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The value is larger than <see cref="RedisAutoExpiryCacheOptions.MaximumValueSize"/>,
    /// or the absolute expiration has passed; nothing is written.</exception>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options, IEnumerable<string> tags)
    {
        ArgumentNullException.ThrowIfNull(value);
        Write(PrepareWrite(key, new ReadOnlySequence<byte>(value), options, tags));
    }

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions, IEnumerable{string})" />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, IEnumerable<string> tags, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var write = PrepareWrite(key, new ReadOnlySequence<byte>(value), options, tags);
        token.ThrowIfCancellationRequested();
        return WriteAsync(write, token);
    }

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions, IEnumerable{string})" />
    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, IEnumerable<string> tags) =>
        Write(PrepareWrite(key, value, options, tags));

    /// <inheritdoc cref="Set(string, byte[], DistributedCacheEntryOptions, IEnumerable{string})" />
    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, IEnumerable<string> tags,
        CancellationToken token = default)
    {
        var write = PrepareWrite(key, value, options, tags);
        token.ThrowIfCancellationRequested();
        await WriteAsync(write, token).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<long> EvictByTagAsync(string tag, CancellationToken token = default)
    {
        TagList.ValidateOne(tag, _options.Tags, nameof(tag));
        return TagEviction.EvictAsync(_store, _forget, tag, token);
    }

    /// <inheritdoc />
    public async Task<long> EvictByTagsAsync(IEnumerable<string> tags, CancellationToken token = default)
    {
        long removed = 0;
        foreach (var tag in TagList.Distinct(tags, _options.Tags))
        {
            removed += await TagEviction.EvictAsync(_store, _forget, tag, token).ConfigureAwait(false);
        }

        return removed;
    }

    /// <summary>The value of an entry read raw under the reserved prefix (the stampede lease's scripts return it so).</summary>
    internal byte[]? OpenReserved(string key, byte[]? stored) => TryOpen(key, stored, StoredFormat.WithHeader, default, out var value) ? ToArray(value) : null;

    /// <summary>Whether an entry read raw under the reserved prefix is valid, and its value (a slice of it, unless decrypted).</summary>
    internal bool TryOpenReserved(string key, [NotNullWhen(true)] byte[]? stored, out ReadOnlyMemory<byte> value) =>
        TryOpen(key, stored, StoredFormat.WithHeader, default, out value);

    /// <summary>
    /// Checks an entry to write under the reserved prefix (an output cache response): what Set checks, but not the key.
    /// Written by <see cref="WriteReservedAsync"/>.
    /// </summary>
    internal EntryWrite PrepareReserved(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, IEnumerable<string> tags) =>
        PrepareWriteCore(key, value, options, tags, StoredFormat.WithHeader);

    /// <summary>Writes a prepared output cache entry, bounded by <see cref="RedisAutoExpiryResilienceOptions.OutputCacheTimeout"/>.</summary>
    internal Task WriteReservedAsync(EntryWrite write, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        return _store.WriteAsync(write, token, CallKind.OutputCache);
    }

    /// <inheritdoc />
    public async Task<CacheValueWithTimeToLive?> GetWithTimeToLiveAsync(string key, CancellationToken token = default)
    {
        CheckKey(key);
        token.ThrowIfCancellationRequested();
        (byte[] Stored, long TimeToLiveMilliseconds)? read;
        try
        {
            read = await _store.GetWithTimeToLiveAsync(key, token).ConfigureAwait(false);
        }
        catch (Exception exception) when (FailsOpen(exception, "GetWithTimeToLive", key, "treated as a miss"))
        {
            read = null;
        }

        if (read is not var (stored, ttl) || !TryDecode(key, stored, StoredFormat.BareOrWithHeader, out _, out var value))
        {
            _store.Metrics.Lookup(found: false, CacheMetrics.DistributedCache);
            return null;
        }

        _store.Metrics.Lookup(found: true, CacheMetrics.DistributedCache);
        return new CacheValueWithTimeToLive(ToArray(value), ttl < 0 ? null : TimeSpan.FromMilliseconds(ttl));
    }

    /// <summary>
    /// Extends a sliding entry by its window, never past its absolute cap; does nothing to other entries. The
    /// extension has taken effect when the call returns.
    /// </summary>
    public void Refresh(string key)
    {
        CheckKey(key);
        try
        {
            _store.Extend(key);
        }
        catch (Exception exception) when (FailsOpen(exception, "Refresh", key, "dropped"))
        {
        }
    }

    /// <inheritdoc cref="Refresh(string)" />
    public async Task RefreshAsync(string key, CancellationToken token = default)
    {
        CheckKey(key);
        token.ThrowIfCancellationRequested();
        try
        {
            await _store.ExtendAsync(key, token).ConfigureAwait(false);
        }
        catch (Exception exception) when (FailsOpen(exception, "Refresh", key, "dropped"))
        {
        }
    }

    /// <summary>
    /// Deletes an entry and takes it out of its tag sets, in one step. A Redis error is thrown, never swallowed: a
    /// removal that failed is not reported as done.
    /// </summary>
    public void Remove(string key)
    {
        CheckKey(key);
        _store.Remove(key);
    }

    /// <inheritdoc cref="Remove(string)" />
    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        CheckKey(key);
        token.ThrowIfCancellationRequested();
        return _store.RemoveAsync(key, token);
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _maintenance.DisposeAsync().ConfigureAwait(false);
        await _forget.DisposeAsync().ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
    }

    private static void CheckKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.StartsWith(KeyLayout.ReservedKeyPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Keys must not start with \"{KeyLayout.ReservedKeyPrefix}\": the cache keeps its tag sets and indexes there.", nameof(key));
        }

        if (!Utf16Text.IsWellFormed(key))
        {
            throw new ArgumentException("Keys must be valid UTF-16: this one has an unpaired surrogate character, which Redis (UTF-8) " +
                "would store as U+FFFD, under another key's name.", nameof(key));
        }
    }

    // A Get that extends the entry itself is one script; any other is a plain GET (see SlidingReads).
    private byte[]? Read(string key, SlidingRead read)
    {
        try
        {
            return read.Extends ? _store.GetSliding(key) : _store.Get(key);
        }
        catch (Exception exception) when (FailsOpen(exception, "Get", key, "treated as a miss"))
        {
            return null;
        }
    }

    // Without FailOpen the store's task is returned as is: no wrapping state machine on the hot path.
    private ValueTask<byte[]?> ReadAsync(string key, SlidingRead read, CancellationToken token) =>
        _options.Resilience.FailOpen ? ReadOrMissAsync(key, read, token) : FetchAsync(key, read, token);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // awaited once, by the Get that called it
    private async ValueTask<byte[]?> ReadOrMissAsync(string key, SlidingRead read, CancellationToken token)
    {
        try
        {
            return await FetchAsync(key, read, token).ConfigureAwait(false);
        }
        catch (Exception exception) when (FailsOpen(exception, "Get", key, "treated as a miss"))
        {
            return null;
        }
    }

    private ValueTask<byte[]?> FetchAsync(string key, SlidingRead read, CancellationToken token) =>
        read.Extends ? _store.GetSlidingAsync(key, token) : _store.GetAsync(key, token);

    private void Write(EntryWrite write)
    {
        try
        {
            _store.Write(write);
        }
        catch (Exception exception) when (FailsOpen(exception, "Set", write.Key, "dropped"))
        {
        }
    }

    private Task WriteAsync(EntryWrite write, CancellationToken token) =>
        _options.Resilience.FailOpen ? WriteOrDropAsync(write, token) : _store.WriteAsync(write, token);

    private async Task WriteOrDropAsync(EntryWrite write, CancellationToken token)
    {
        try
        {
            await _store.WriteAsync(write, token).ConfigureAwait(false);
        }
        catch (Exception exception) when (FailsOpen(exception, "Set", write.Key, "dropped"))
        {
        }
    }

    // With Resilience.FailOpen a Redis failure of a read or write is logged (see Log.FailedOpen) and swallowed.
    private bool FailsOpen(Exception exception, string operation, string key, string outcome)
    {
        if (!_options.Resilience.FailOpen || !RedisFailure.Is(exception))
        {
            return false;
        }

        Log.FailedOpen(_logger, operation, key, outcome, exception);
        return true;
    }

    private EntryWrite PrepareWrite(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, IEnumerable<string> tags)
    {
        CheckKey(key);
        return PrepareWriteCore(key, value, options, tags, StoredFormat.BareOrWithHeader);
    }

    private EntryWrite PrepareWriteCore(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, IEnumerable<string> tags, StoredFormat format)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (value.Length > _options.MaximumValueSize)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value.Length,
                $"The value is {value.Length} bytes; MaximumValueSize allows {_options.MaximumValueSize}. Nothing was written.");
        }

        var validTags = TagList.Validate(tags, _options.Tags);
        var expiration = EntryExpiration.From(options, _options.DefaultEntryOptions, _options.AllowEntriesWithoutExpiration, _options.TimeProvider);
        return EntryWrite.Create(key, value, expiration, validTags, _protector, format);
    }

    private byte[]? ToValue(string key, byte[]? stored, SlidingRead read) =>
        _store.Metrics.Lookup(TryOpen(key, stored, StoredFormat.BareOrWithHeader, read, out var value), CacheMetrics.DistributedCache) ? ToArray(value) : null;

    private bool CopyValue(string key, byte[]? stored, SlidingRead read, IBufferWriter<byte> destination)
    {
        if (!_store.Metrics.Lookup(TryOpen(key, stored, StoredFormat.BareOrWithHeader, read, out var value), CacheMetrics.DistributedCache))
        {
            return false;
        }

        destination.Write(value.Span);
        return true;
    }

    // A decrypted value is an array of its own: returned as is rather than copied again.
    private static byte[] ToArray(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    // Opens a fetched entry. A sliding one read with a plain GET gets its refresh, sent without waiting; the Gets of a
    // key are read the one-script way or not as SlidingReads last learned whether it slides.
    private bool TryOpen(string key, [NotNullWhen(true)] byte[]? stored, StoredFormat format, SlidingRead read, out ReadOnlyMemory<byte> value)
    {
        if (!TryDecode(key, stored, format, out var header, out value))
        {
            _slidingReads.Forget(read);
            return false;
        }

        if (!header.IsSliding)
        {
            _slidingReads.Forget(read);
        }
        else if (!read.Extends)
        {
            if (!read.Known)
            {
                _slidingReads.Learn(key);
            }

            _store.ExtendInBackground(key, stored.AsSpan(0, header.Length).ToArray());
        }

        return true;
    }

    // Reads a fetched entry's header and value (decrypted when protected). A bare value (see StoredFormat) is the whole
    // array, returned without a copy. Anything else under the key (an unknown format version, a truncated header, a
    // payload protected differently or altered, a bare value where only headed ones are written) is a miss and one
    // log line.
    private bool TryDecode(string key, [NotNullWhen(true)] byte[]? stored, StoredFormat format, out EntryHeader header, out ReadOnlyMemory<byte> value)
    {
        value = default;
        header = default;
        if (stored is null)
        {
            return false;
        }

        // A bare value reads as an unprotected entry with no header: the checks below apply to it alike.
        var bare = format == StoredFormat.BareOrWithHeader && EntryHeader.IsBare(stored);
        if (!bare && !EntryHeader.TryRead(stored, out header))
        {
            Log.InvalidEntry(_logger, _store.Layout.Entry(key));
            return false;
        }

        if (header.IsProtected != (_protector is not null))
        {
            Log.PayloadUnreadable(_logger, _store.Layout.Entry(key), header.IsProtected
                ? "it is protected with Data Protection and ProtectPayloads is off"
                : "it is not protected and ProtectPayloads is on, so it was not written by this app");
            return false;
        }

        var headerLength = bare ? 0 : header.Length;
        if (_protector is null)
        {
            value = stored.AsMemory(headerLength);
            return true;
        }

        try
        {
            value = _protector.Unprotect(stored.AsSpan(headerLength).ToArray());
            return true;
        }
        catch (CryptographicException exception)
        {
            Log.PayloadUnreadable(_logger, _store.Layout.Entry(key), $"Data Protection refused it ({exception.Message})");
            return false;
        }
    }
}
