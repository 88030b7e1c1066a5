using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using RedisAutoExpiry.Diagnostics;
using RedisAutoExpiry.Entries;
using RedisAutoExpiry.Logging;
using RedisAutoExpiry.Tagging;
using StackExchange.Redis;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// The seam between the cache and StackExchange.Redis: every command the cache sends goes through here (and
/// <see cref="RedisConnection"/>, <see cref="KeyspaceSubscription"/>, <see cref="ServerSettings"/>), using only APIs
/// of StackExchange.Redis 2.x, so a client upgrade touches this folder only. Methods take the user's key;
/// <see cref="KeyLayout"/> names the Redis keys. Sync methods use the client's own sync calls, never a blocked async
/// one (only the very first call of a cache waits for the shared connection attempt; see <see cref="RedisConnection"/>).
/// </summary>
/// <remarks>
/// Every call is bounded by <see cref="RedisAutoExpiryResilienceOptions.OperationTimeout"/>, or for the output cache
/// the shorter <see cref="RedisAutoExpiryResilienceOptions.OutputCacheTimeout"/> (the client checks its own async
/// timeout only on its heartbeat, once a second). Calls made for the app or the output cache go through the
/// <see cref="CallGuard"/>'s circuit breakers: refused while one that applies is open, counted towards opening them
/// otherwise. Background work (tag maintenance, subscriptions, the
/// probes) is bounded but neither refused nor counted: it must go on re-applying settings and sweeping while callers are
/// refused (see <see cref="CallKind"/>).
/// </remarks>
internal sealed class RedisStore : IDisposable, IAsyncDisposable
{
    private readonly RedisConnection _connection;
    private readonly ILogger _logger;
    private readonly CallGuard _guard;
    private readonly SlidingRefreshes _refreshes;
    private readonly ReplyWatchdog _callWatchdog;
    private readonly ReplyWatchdog _outputCacheWatchdog;

    public RedisStore(RedisConnection connection, KeyLayout layout, RedisAutoExpiryResilienceOptions resilience, CacheMetrics metrics, ILogger logger)
    {
        _connection = connection;
        Layout = layout;
        Metrics = metrics;
        _logger = logger;
        _guard = new CallGuard(resilience, PingAsync, logger);
        _refreshes = new SlidingRefreshes(ExtendInBackgroundAsync);
        _callWatchdog = new ReplyWatchdog(_guard.TimeoutOf(CallKind.Caller));
        _outputCacheWatchdog = new ReplyWatchdog(_guard.TimeoutOf(CallKind.OutputCache));
        connection.Restored += _guard.ProbeSoon;
        metrics.ObserveCircuits(() => _guard.CacheCallsOpen, () => _guard.OutputCacheCallsOpen);
    }

    public KeyLayout Layout { get; }

    public CacheMetrics Metrics { get; }

    /// <summary>Whether the breaker for all cache calls is open.</summary>
    public bool CacheCallsRefused => _guard.CacheCallsOpen;

    public RedisConnection Connection => _connection;

    /// <summary>True while output cache calls are refused: the output cache then skips Redis without an exception.</summary>
    public bool OutputCacheRefused => _guard.OutputCacheRefused;

    /// <summary>
    /// True while output cache calls are refused or the last one got no answer: a write that can be skipped (an output
    /// cache store) is, rather than wait out the bound too.
    /// </summary>
    public bool OutputCacheFailing => _guard.OutputCacheFailing;

    // A key another program filled with a set or a hash answers GET with WRONGTYPE: not our entry, so a miss.
    public byte[]? Get(string key) =>
        Run(RedisOperation.Get, static (database, key) => (byte[]?)database.StringGet(key), (RedisKey)Layout.Entry(key), missOnWrongType: true);

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken token, CallKind kind = CallKind.Caller) =>
        RunAsync(RedisOperation.Get, static (database, key) => database.StringGetAsync(key), static (_, reply) => (byte[]?)reply, (RedisKey)Layout.Entry(key),
            token, kind, missOnWrongType: true);

    /// <summary>
    /// A Get whose stored bytes <paramref name="convert"/> turns into the caller's value (with the cache's key) within
    /// this call: the caller needs no async method of its own around it, one pooled state machine per Get rather than
    /// two. A miss, or a key holding another type, is converted as null.
    /// </summary>
    public ValueTask<byte[]?> GetAsync(string key, Func<string, byte[]?, byte[]?> convert, CancellationToken token) =>
        RunAsync(RedisOperation.Get, static (database, get) => database.StringGetAsync(get.Entry),
            static (get, reply) => get.Convert(get.Key, (byte[]?)reply), new ConvertedGet(Layout.Entry(key), key, convert), token, missOnWrongType: true);

    /// <summary>Reads an entry and, when it slides, extends it in the same script (<see cref="LuaScripts.GetSliding"/>).</summary>
    public byte[]? GetSliding(string key) =>
        (byte[]?)Script(RedisOperation.GetSliding, LuaScripts.GetSliding, [Layout.Entry(key)], [], missOnWrongType: true);

    /// <inheritdoc cref="GetSliding(string)" />
    public ValueTask<byte[]?> GetSlidingAsync(string key, CancellationToken token) =>
        RunAsync(RedisOperation.GetSliding, static (database, key) => database.ScriptEvaluateAsync(ScriptHashes.Of(LuaScripts.GetSliding), [key]),
            static (_, reply) => (byte[]?)reply, (RedisKey)Layout.Entry(key), token, missOnWrongType: true,
            reload: static (database, key) => database.ExecuteAsync("EVAL", EvalArguments(LuaScripts.GetSliding, [key], [])));

    /// <summary>Reads an entry and its remaining TTL in one script (a sliding entry is extended first). Null on a miss.</summary>
    public async Task<(byte[] Stored, long TimeToLiveMilliseconds)?> GetWithTimeToLiveAsync(string key, CancellationToken token)
    {
        var result = await ScriptAsync(RedisOperation.GetWithTimeToLive, LuaScripts.GetWithTimeToLive, [Layout.Entry(key)], [], token,
            missOnWrongType: true).ConfigureAwait(false);
        if (result is null || result.IsNull)
        {
            return null; // a miss, or another Redis type at the key (logged)
        }

        var parts = (RedisResult[])result!;
        return ((byte[])parts[0]!, (long)parts[1]);
    }

    /// <summary>
    /// Writes an entry. A tagged entry, or one whose TTL needs Redis's clock, goes through the write script, which
    /// keeps its tag sets exact atomically. An untagged one with at most one duration is a plain <c>SET … PX</c>
    /// followed by a fire-and-forget <c>DEL</c> of its tag index (see <see cref="PlainWrite"/>).
    /// </summary>
    public void Write(EntryWrite write)
    {
        if (PlainWrite.Applies(write))
        {
            Run(RedisOperation.Set, static (database, plain) => plain.Send(database), new PlainWrite(Layout, write));
            return;
        }

        Script(RedisOperation.Set, LuaScripts.Write, WriteKeys(write.Key), WriteArguments(write));
    }

    public Task WriteAsync(EntryWrite write, CancellationToken token, CallKind kind = CallKind.Caller) =>
        PlainWrite.Applies(write)
            ? RunAsync(RedisOperation.Set, static (database, plain) => plain.SendAsync(database), static (_, written) => written, new PlainWrite(Layout, write),
                token, kind).AsTask()
            : ScriptAsync(RedisOperation.Set, LuaScripts.Write, WriteKeys(write.Key), WriteArguments(write), token, kind).AsTask();

    /// <summary>
    /// Sends a sliding entry's refresh without waiting for it, so a sliding Get costs one awaited round trip. It
    /// extends the entry only if its header is still <paramref name="expectedHeader"/>. Commands on one connection run
    /// in order, so anything this process sends afterwards sees the extended TTL. While a refresh of the entry is in
    /// flight, this one waits for it and goes after it, merged with any others meanwhile (see <see cref="SlidingRefreshes"/>).
    /// </summary>
    public void ExtendInBackground(string key, byte[] expectedHeader) => _refreshes.Refresh(Layout.Entry(key), expectedHeader);

    /// <summary>Entries with a background refresh in flight.</summary>
    internal int RefreshesInFlight => _refreshes.InFlight;

    // Not fire-and-forget: after a server restart the script comes back NOSCRIPT and must be sent again.
    private async Task ExtendInBackgroundAsync(string redisKey, byte[] expectedHeader)
    {
        try
        {
            await ScriptAsync(RedisOperation.Refresh, LuaScripts.ExtendSliding, [redisKey], [expectedHeader], CancellationToken.None,
                missOnWrongType: true).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Log.RefreshFailed(_logger, redisKey, exception);
        }
    }

    /// <summary>Refresh: extends a sliding entry, whatever its header, in one awaited script.</summary>
    public void Extend(string key) =>
        Script(RedisOperation.Refresh, LuaScripts.ExtendSliding, [Layout.Entry(key)], [RedisValue.EmptyString], missOnWrongType: true);

    public Task ExtendAsync(string key, CancellationToken token) =>
        ScriptAsync(RedisOperation.Refresh, LuaScripts.ExtendSliding, [Layout.Entry(key)], [RedisValue.EmptyString], token, missOnWrongType: true).AsTask();

    /// <summary>Deletes an entry and takes it out of its tag sets; true when it existed.</summary>
    public bool Remove(string key) => (long)Script(RedisOperation.Remove, LuaScripts.Remove, RemoveKeys(key), RemoveArguments(key)) == 1;

    public async Task<bool> RemoveAsync(string key, CancellationToken token) =>
        (long)(await ScriptAsync(RedisOperation.Remove, LuaScripts.Remove, RemoveKeys(key), RemoveArguments(key), token).ConfigureAwait(false))! == 1;

    /// <summary>
    /// One page of an eviction (<see cref="TagScripts.EvictPage"/>); the cursor is "0" at the end. When
    /// <paramref name="deferred"/>, the entries deleted stay in their other tag sets, which the page's
    /// <see cref="TagSetPage.Deferred"/> names (see <see cref="LeaveTagSetsAsync"/>). With a cursor key the cursor is also
    /// kept in Redis, and cursor "" goes on from it (answering "" when there is none to go on from).
    /// </summary>
    public async Task<TagSetPage> EvictPageAsync(string tag, string cursor, int pageSize, bool deferred, CancellationToken token, string? cursorKey = null)
    {
        var page = await TagSetPageAsync(RedisOperation.EvictPage, TagScripts.EvictPage, Layout.TagSet(tag), cursor, pageSize, deferred ? "1" : "0",
            CallKind.Caller, token, cursorKey).ConfigureAwait(false);
        var pairs = page.Length > 4 ? (RedisResult[])page[4]! : [];
        var left = new ForgetItem[pairs.Length / 2];
        for (var i = 0; i < left.Length; i++)
        {
            left[i] = new ForgetItem((string)pairs[2 * i]!, (byte[])pairs[2 * i + 1]!);
        }

        return new TagSetPage((string)page[0]!, (long)page[1], (long)page[2], (long)page[3], left);
    }

    /// <summary>One page of the sweep (<see cref="TagScripts.SweepPage"/>): Count is the dead members removed.</summary>
    public async Task<TagSetPage> SweepPageAsync(string tagSetKey, string cursor, int pageSize, CancellationToken token)
    {
        var page = await TagSetPageAsync(RedisOperation.SweepPage, TagScripts.SweepPage, tagSetKey, cursor, pageSize, "0", CallKind.Background, token)
            .ConfigureAwait(false);
        return new TagSetPage((string)page[0]!, (long)page[1], (long)page[2], (long)page[3], []);
    }

    private async Task<RedisResult[]> TagSetPageAsync(RedisOperation operation, string script, string tagSetKey, string cursor, int pageSize, string mode,
        CallKind kind, CancellationToken token, string? cursorKey = null) =>
        (RedisResult[])(await ScriptAsync(operation, script, cursorKey is null ? [tagSetKey] : [tagSetKey, cursorKey],
            [cursor, pageSize, Layout.Prefix, Layout.EntryTagsPrefix, Layout.TagSetPrefix, mode, TagScripts.CursorLifetimeMilliseconds], token, kind)
            .ConfigureAwait(false))!;

    /// <summary>One page of the scan for tag sets: the next cursor and the tag set keys found.</summary>
    public async Task<(string Cursor, string[] TagSetKeys)> TagSetScanPageAsync(string cursor, int pageSize, CancellationToken token)
    {
        var result = await ScriptAsync(RedisOperation.ScanTagSets, TagScripts.TagSetScanPage, [], [cursor, Layout.TagSetPattern, pageSize], token, CallKind.Background)
            .ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        return ((string)parts[0]!, (string[])parts[1]!);
    }

    /// <summary>Takes entries that Redis reported expired or evicted out of their tag sets, unless written again since.</summary>
    public async Task<long> ForgetAsync(IReadOnlyList<string> keys, CancellationToken token)
    {
        var arguments = new RedisValue[keys.Count + 3];
        arguments[0] = Layout.Prefix;
        arguments[1] = Layout.EntryTagsPrefix;
        arguments[2] = Layout.TagSetPrefix;
        for (var i = 0; i < keys.Count; i++)
        {
            arguments[i + 3] = keys[i];
        }

        return (long)(await ScriptAsync(RedisOperation.Forget, TagScripts.Forget, [], arguments, token, CallKind.Background).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Takes entries a deferred eviction deleted out of the tag sets their indexes (as the eviction read them) list,
    /// unless written again since (<see cref="TagScripts.LeaveTagSets"/>). Returns the memberships removed.
    /// </summary>
    /// <remarks>
    /// An index that is not a MessagePack array of strings (written by something else) names no tag set; the sweep
    /// drops the entry's memberships.
    /// </remarks>
    public async Task<long> LeaveTagSetsAsync(IReadOnlyList<ForgetItem> items, CancellationToken token)
    {
        var byTag = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var count = 3 + items.Count;
        foreach (var item in items)
        {
            foreach (var tag in TagsOf(item.Index))
            {
                if (!byTag.TryGetValue(tag, out var members))
                {
                    byTag[tag] = members = [];
                    count += 2;
                }

                members.Add(item.Member);
                count++;
            }
        }

        // ARGV: prefixes, the members, then each tag set with the members leaving it.
        var arguments = new RedisValue[count];
        arguments[0] = Layout.Prefix;
        arguments[1] = Layout.TagSetPrefix;
        arguments[2] = items.Count;
        var position = 3;
        foreach (var item in items)
        {
            arguments[position++] = item.Member;
        }

        foreach (var (tag, members) in byTag)
        {
            arguments[position++] = tag;
            arguments[position++] = members.Count;
            foreach (var member in members)
            {
                arguments[position++] = member;
            }
        }

        return (long)(await ScriptAsync(RedisOperation.Forget, TagScripts.LeaveTagSets, [], arguments, token, CallKind.Background).ConfigureAwait(false))!;
    }

    private static string[] TagsOf(byte[]? index)
    {
        try
        {
            return index is null ? [] : TagIndex.Unpack(index);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    public Task<bool> TakeSweepLockAsync(string owner, TimeSpan lifetime, bool force, CancellationToken token) =>
        LockScriptAsync(TagScripts.TakeSweepLock, [owner, (long)lifetime.TotalMilliseconds, force ? 1 : 0], token);

    public Task<bool> RenewSweepLockAsync(string owner, TimeSpan lifetime, CancellationToken token) =>
        LockScriptAsync(TagScripts.RenewSweepLock, [owner, (long)lifetime.TotalMilliseconds], token);

    public Task<bool> FinishSweepLockAsync(string owner, TimeSpan holdOff, CancellationToken token) =>
        LockScriptAsync(TagScripts.FinishSweepLock, [owner, Math.Max(1, (long)holdOff.TotalMilliseconds)], token);

    private async Task<bool> LockScriptAsync(string script, RedisValue[] arguments, CancellationToken token) =>
        (long)(await ScriptAsync(RedisOperation.SweepLock, script, [Layout.SweepLock], arguments, token, CallKind.Background).ConfigureAwait(false))! == 1;

    /// <summary>
    /// One step of the output cache's stampede lease (<see cref="LeaseScripts"/>): with an <paramref name="owner"/> the
    /// lease is taken if the entry is missing and nobody holds it; without one, the entry and the lease are only read.
    /// No token: the caller bounds its wait by the lease.
    /// </summary>
    public async Task<(LeaseState State, byte[]? Stored)> LeaseStepAsync(string key, string? owner, long leaseMilliseconds)
    {
        RedisKey[] keys = [Layout.Entry(key), Layout.Lease(key)];
        var result = await (owner is null
            ? ScriptAsync(RedisOperation.Lease, LeaseScripts.Peek, keys, [], CancellationToken.None, CallKind.OutputCache)
            : ScriptAsync(RedisOperation.Lease, LeaseScripts.LookupOrTake, keys, [owner, leaseMilliseconds], CancellationToken.None, CallKind.OutputCache)).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        return ((long)parts[0], owner) switch
        {
            (1, _) => (LeaseState.Stored, (byte[])parts[1]!),
            (3, _) => (LeaseState.Foreign, null),
            (2, null) => (LeaseState.Held, null),
            (2, _) => (LeaseState.Taken, null),
            (_, null) => (LeaseState.Free, null),
            _ => (LeaseState.Held, null),
        };
    }

    /// <summary>Ends <paramref name="owner"/>'s lease on an entry, if it still holds it, and wakes every instance's waiters.</summary>
    public Task ReleaseLeaseAsync(string key, string owner) =>
        ScriptAsync(RedisOperation.LeaseRelease, LeaseScripts.Release, [Layout.Lease(key)], [owner, Layout.StoredChannel, key], CancellationToken.None, CallKind.OutputCache).AsTask();

    /// <summary>
    /// Subscribes to the lease channel: <paramref name="onStored"/> gets the entry key of each lease released. The
    /// client resubscribes by itself after a reconnect; a message missed meanwhile costs a waiter one poll interval.
    /// </summary>
    public async Task SubscribeToLeasesAsync(Action<string> onStored)
    {
        var subscriber = (await _connection.GetDatabaseAsync(CancellationToken.None).ConfigureAwait(false)).Multiplexer.GetSubscriber();
        var channel = new RedisChannel(Layout.StoredChannel, RedisChannel.PatternMode.Literal);
        Action<RedisChannel, RedisValue> handler = (_, key) => onStored(key!);
        try
        {
            await subscriber.SubscribeAsync(channel, handler).Within(_guard.OperationTimeout).ConfigureAwait(false);
            if (subscriber.SubscribedEndpoint(channel) is null)
            {
                throw new InvalidOperationException($"Subscribing to {channel} reached no Redis server.");
            }
        }
        catch
        {
            // Only this handler (an app's multiplexer may carry its own), so a later retry does not add a second one.
            subscriber.Unsubscribe(channel, handler, CommandFlags.FireAndForget);
            throw;
        }
    }

    /// <summary>Starts the listener's subscription on the connected multiplexer (see <see cref="KeyspaceSubscription"/>).</summary>
    public KeyspaceSubscription StartKeyspaceSubscription(Action<string> onRemoved, Action<bool> onReconnected)
    {
        var database = _connection.GetDatabase();
        return KeyspaceSubscription.Start(database.Multiplexer, database.Database, _guard.OperationTimeout, onRemoved, onReconnected);
    }

    public Task<KeyspaceNotificationCheck?> EnsureKeyspaceNotificationsAsync(bool configure) =>
        ServerSettings.EnsureKeyspaceNotificationsAsync(_connection.GetDatabase().Multiplexer, configure).Within(_guard.OperationTimeout);

    public Task<string?> ReadEvictionPolicyAsync() =>
        ServerSettings.ReadEvictionPolicyAsync(_connection.GetDatabase().Multiplexer).Within(_guard.OperationTimeout);

    /// <summary>
    /// One PING for the health check, bounded by OperationTimeout and sent even while a breaker is open (it asks
    /// whether Redis answers, not whether callers may use it). Returns how long the answer took.
    /// </summary>
    public async Task<TimeSpan> PingForHealthAsync(CancellationToken token)
    {
        var started = Stopwatch.GetTimestamp();
        await RunAsync(RedisOperation.Ping, static (database, _) => database.PingAsync(), static (_, reply) => reply, 0, token, CallKind.Background)
            .ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    // A breaker's probe: one PING within the bound of the calls it guards; neither refused nor counted.
    private async Task PingAsync(TimeSpan timeout) =>
        await (await _connection.GetDatabaseAsync(CancellationToken.None).ConfigureAwait(false)).PingAsync().Within(timeout).ConfigureAwait(false);

    // With missOnWrongType the script's first key is the entry, named in the log when it holds another Redis type.
    private RedisResult Script(RedisOperation operation, string script, RedisKey[] keys, RedisValue[] arguments, bool missOnWrongType = false) =>
        Run(operation, static (database, call) => Evaluate(database, call.script, call.keys, call.arguments), (script, keys, arguments),
            missOnWrongType) ?? RedisResult.Create(RedisValue.Null);

    // Not async: the caller awaits RunAsync's own task, one state machine per call. Null only with missOnWrongType.
    private ValueTask<RedisResult?> ScriptAsync(RedisOperation operation, string script, RedisKey[] keys, RedisValue[] arguments, CancellationToken token,
        CallKind kind = CallKind.Caller, bool missOnWrongType = false) =>
        RunAsync(operation, static (database, call) => database.ScriptEvaluateAsync(ScriptHashes.Of(call.script), call.keys, call.arguments),
            static (_, reply) => reply, (script, keys, arguments), token, kind, missOnWrongType,
            reload: static (database, call) => database.ExecuteAsync("EVAL", EvalArguments(call.script, call.keys, call.arguments)));

    // A sync call (always the app's): bounded by the client's sync timeout, which the cache sets to OperationTimeout.
    private T? Run<TState, T>(RedisOperation operation, Func<IDatabase, TState, T> command, TState state, bool missOnWrongType = false)
    {
        Enter(operation, CallKind.Caller);
        var started = Metrics.Start();
        using var activity = RedisActivity.Start(operation);
        try
        {
            var result = command(_connection.GetDatabase(), state);
            _guard.Answered(CallKind.Caller);
            Metrics.Completed(operation, outputCache: false, started, Wrote(operation, result));
            return result;
        }
        catch (RedisServerException exception) when (missOnWrongType && IsWrongType(exception))
        {
            _guard.Answered(CallKind.Caller);
            Log.InvalidEntry(_logger, KeyOf(state));
            return default;
        }
        catch (Exception exception) when (Failed(operation, activity, exception, started))
        {
            throw; // never reached: the filter records the failure and declines
        }
        catch (RedisServerException)
        {
            _guard.Answered(CallKind.Caller); // an error reply: Redis is there
            throw;
        }
        catch (Exception exception) when (RedisFailure.IsNoAnswer(exception))
        {
            _guard.NoAnswer(CallKind.Caller, exception);
            throw;
        }
    }

    // An async call, bounded (by OperationTimeout, or OutputCacheTimeout) from sending to reply, and by the token. Only
    // a cache's very first calls also wait for the connection attempt, which has its own bound (see RedisConnection).
    // The client cannot cancel a queued command: the bound ends the wait, not the command, whose own failure must then
    // still be observed or it surfaces as an unobserved task exception. The reply is converted by read here rather than
    // by an async wrapper: one state machine per call, not two, and pooled rather than allocated (every caller awaits
    // it once). Read runs once the call is done, outside its handlers: a converter's exception is not a Redis failure.
    // A script's command is its EVALSHA, and reload its EVAL: on NOSCRIPT (after SCRIPT FLUSH, a restart or a failover)
    // the text is sent within what is left of the same bound, and Redis files it again under its SHA for the next calls
    // (see ScriptHashes for why not the client's own way). In here rather than in an async wrapper of its own, which
    // every script call would pay for: a Task and a continuation more per call, for a reply that almost never comes.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T?> RunAsync<TState, TReply, T>(RedisOperation operation, Func<IDatabase, TState, Task<TReply>> command, Func<TState, TReply, T> read,
        TState state, CancellationToken token, CallKind kind = CallKind.Caller, bool missOnWrongType = false,
        Func<IDatabase, TState, Task<TReply>>? reload = null)
    {
        Enter(operation, kind);
        var started = Metrics.Start();
        using var activity = RedisActivity.Start(operation);
        var timeout = _guard.TimeoutOf(kind);
        Task<TReply>? sent = null;
        TReply reply;
        try
        {
            var database = await _connection.GetDatabaseAsync(token).ConfigureAwait(false);
            var sentAt = reload is null ? 0 : Stopwatch.GetTimestamp(); // a clock read only for calls that may need the rest of the bound
            sent = command(database, state);
            try
            {
                reply = token.CanBeCanceled
                    ? await sent.WaitAsync(timeout, token).ConfigureAwait(false)
                    : await WatchdogOf(kind).WaitAsync(sent);
            }
            catch (RedisServerException exception) when (reload is not null && IsNoScript(exception))
            {
                sent = reload(database, state);
                var left = timeout - Stopwatch.GetElapsedTime(sentAt);
                reply = await sent.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, token).ConfigureAwait(false);
            }

            _guard.Answered(kind);
            Metrics.Completed(operation, kind == CallKind.OutputCache, started, Wrote(operation, reply));
        }
        catch (Exception exception) when (sent is not null && IsClientFault(sent, exception))
        {
            // The client can fail a command with its socket pipe's own exception when the connection closes under it
            // (2.x: InvalidOperationException, "Writing is not allowed after writer was completed"): an outage like
            // any other, so fail-open, the breaker and callers see a connection failure rather than a bug.
            var failure = new RedisConnectionException(ConnectionFailureType.SocketFailure,
                $"The connection to Redis failed under the command ({exception.GetType().Name}: {exception.Message})", exception);
            Failed(operation, activity, failure, started);
            _guard.NoAnswer(kind, failure);
            throw failure;
        }
        catch (RedisServerException exception) when (missOnWrongType && IsWrongType(exception))
        {
            _guard.Answered(kind);
            Log.InvalidEntry(_logger, KeyOf(state));
            reply = default!; // read as no reply: a miss
        }
        catch (Exception exception) when (Failed(operation, activity, exception, started))
        {
            throw; // never reached: the filter records the failure and declines
        }
        catch (Exception exception) when (sent is not null && !IsFailureOf(sent, exception))
        {
            // The wait ended (the bound, or the token) before the command did.
            TaskBounds.ObserveIfAbandoned(sent);
            if (exception is not TimeoutException)
            {
                throw;
            }

            var timedOut = new TimeoutException($"Redis did not answer within {timeout.TotalMilliseconds:0} ms (Resilience." +
                $"{(kind == CallKind.OutputCache ? "OutputCacheTimeout" : "OperationTimeout")}). The command may still take effect.");
            _guard.NoAnswer(kind, timedOut);
            throw timedOut;
        }
        catch (RedisServerException)
        {
            _guard.Answered(kind); // an error reply: Redis is there
            throw;
        }
        catch (Exception exception) when (RedisFailure.IsNoAnswer(exception))
        {
            _guard.NoAnswer(kind, exception);
            throw;
        }

        return read(state, reply);
    }

    // The reply is awaited through the watchdog of the call's bound (pooled, one timer for all calls) unless a token
    // can fire: then the runtime's WaitAsync, which also ends the wait when the token fires.
    private ReplyWatchdog WatchdogOf(CallKind kind) => kind == CallKind.OutputCache ? _outputCacheWatchdog : _callWatchdog;

    // A call refused by an open breaker sent nothing: it counts as an error, but has no duration and no span.
    private void Enter(RedisOperation operation, CallKind kind)
    {
        try
        {
            _guard.Enter(kind);
        }
        catch (RedisUnavailableException)
        {
            Metrics.Refused(operation);
            throw;
        }
    }

    // A plain write answers true. The write script answers 0 when the entry was already past its absolute expiration
    // by Redis's clock (and was deleted instead): not an entry set.
    private static bool Wrote<TReply>(RedisOperation operation, TReply reply) =>
        operation.IsSet && (reply is true || (reply is RedisResult { IsNull: false } result && (long)result == 1));

    // An exception filter that records a failed call (metrics and span) and declines, so the handlers below still run.
    // Cancellation is the caller's choice, not a failure.
    private bool Failed(RedisOperation operation, Activity? activity, Exception exception, long started)
    {
        if (exception is not OperationCanceledException)
        {
            var errorType = RedisFailure.TypeOf(exception);
            Metrics.Failed(operation, errorType, started);
            RedisActivity.Fail(activity, errorType);
        }

        return false;
    }

    // Whether the exception is the command's own failure, rather than the wait's end: the command may complete in the
    // moment between the wait's end and this check.
    private static bool IsFailureOf(Task command, Exception exception) =>
        command.IsFaulted && command.Exception!.InnerExceptions.Contains(exception);

    // The client's task failed with an exception that is neither Redis's answer, a timeout nor a cancellation; or the
    // client cancelled its own task (2.x did once in a suite run, for a GET sent as its server was killed). The
    // caller's token never cancels the client's task, only the wait for it, so a cancelled task is not the caller's
    // choice: it is the connection's failure, as it is for the breaker and fail-open.
    private static bool IsClientFault(Task command, Exception exception) =>
        (exception is OperationCanceledException && command.IsCanceled)
        || (exception is not (RedisException or TimeoutException or OperationCanceledException or ObjectDisposedException)
            && IsFailureOf(command, exception));

    private RedisKey[] WriteKeys(string key) => [Layout.Entry(key), Layout.EntryTags(key)];

    private RedisValue[] WriteArguments(EntryWrite write)
    {
        var arguments = new RedisValue[8 + write.Tags.Length];
        arguments[0] = write.Stored;
        arguments[1] = write.Expiration.RelativeMilliseconds;
        arguments[2] = write.Expiration.AbsoluteUnixMilliseconds;
        arguments[3] = write.Expiration.SlidingMilliseconds;
        arguments[4] = write.CapOffset;
        arguments[5] = Layout.TagSetPrefix;
        arguments[6] = write.Key;
        arguments[7] = write.Tags.Length == 0 ? RedisValue.EmptyString : TagIndex.Pack(write.Tags);
        for (var i = 0; i < write.Tags.Length; i++)
        {
            arguments[8 + i] = write.Tags[i];
        }

        return arguments;
    }

    private RedisKey[] RemoveKeys(string key) => [Layout.Entry(key), Layout.EntryTags(key)];

    private RedisValue[] RemoveArguments(string key) => [Layout.TagSetPrefix, key];

    // EVALSHA with the script's SHA1; on NOSCRIPT (after SCRIPT FLUSH, a restart or a failover) EVAL with its text,
    // which also files it again under that SHA for the next calls. See ScriptHashes for why not the client's own way.
    private static RedisResult Evaluate(IDatabase database, string script, RedisKey[] keys, RedisValue[] arguments)
    {
        try
        {
            return database.ScriptEvaluate(ScriptHashes.Of(script), keys, arguments);
        }
        catch (RedisServerException exception) when (IsNoScript(exception))
        {
            return database.Execute("EVAL", EvalArguments(script, keys, arguments));
        }
    }

    private static object[] EvalArguments(string script, RedisKey[] keys, RedisValue[] arguments)
    {
        var all = new object[2 + keys.Length + arguments.Length];
        all[0] = script;
        all[1] = keys.Length;
        keys.CopyTo(all, 2); // boxed one by one: EVAL's arguments as Execute takes them
        arguments.CopyTo(all, 2 + keys.Length);
        return all;
    }

    private static bool IsNoScript(RedisServerException exception) =>
        exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);

    // Redis 7 keeps the error code of a command failing inside a script, so GET and a script's GET both start so.
    private static bool IsWrongType(RedisServerException exception) =>
        exception.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal);

    private static string KeyOf<TState>(TState state) => state switch
    {
        RedisKey key => (string)key!,
        ValueTuple<string, RedisKey[], RedisValue[]> script => (string)script.Item2[0]!,
        ConvertedGet get => get.Entry,
        _ => string.Empty,
    };

    public void Dispose()
    {
        _connection.Restored -= _guard.ProbeSoon;
        _guard.Dispose();
        _callWatchdog.Dispose();
        _outputCacheWatchdog.Dispose();
        _connection.Dispose();
        Metrics.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
