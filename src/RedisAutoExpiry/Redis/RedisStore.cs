using Microsoft.Extensions.Logging;
using RedisAutoExpiry.Entries;
using RedisAutoExpiry.Logging;
using StackExchange.Redis;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// The seam between the cache and StackExchange.Redis: every command the cache sends goes through here (and
/// <see cref="RedisConnection"/>), using only APIs whose signatures 1.2.6 and 2.x share, so a client upgrade touches
/// this folder only. Sync methods use the client's own sync calls, never a blocked async one (only the very first
/// call of a cache waits for the shared connection attempt; see <see cref="RedisConnection"/>).
/// </summary>
internal sealed class RedisStore : IDisposable, IAsyncDisposable
{
    private readonly RedisConnection _connection;
    private readonly ILogger _logger;

    public RedisStore(RedisConnection connection, ILogger logger)
    {
        _connection = connection;
        _logger = logger;
    }

    public byte[]? Get(string key) => _connection.GetDatabase().StringGet(key);

    public async Task<byte[]?> GetAsync(string key, CancellationToken token)
    {
        var database = await _connection.GetDatabaseAsync(token).ConfigureAwait(false);
        return await WithCancellation<RedisValue>(database.StringGetAsync(key), token).ConfigureAwait(false);
    }

    public void Write(EntryWrite write)
    {
        var database = _connection.GetDatabase();
        if (write.Expiration.NeedsServerClock)
        {
            EvaluateWithReload(database, LuaScripts.SetWithServerClock, write.Key, WriteArguments(write));
        }
        else
        {
            database.StringSet(write.Key, write.Stored, SingleDuration(write.Expiration));
        }
    }

    public async Task WriteAsync(EntryWrite write, CancellationToken token)
    {
        var database = await _connection.GetDatabaseAsync(token).ConfigureAwait(false);
        Task sent = write.Expiration.NeedsServerClock
            ? EvaluateWithReloadAsync(database, LuaScripts.SetWithServerClock, write.Key, WriteArguments(write))
            : database.StringSetAsync(write.Key, write.Stored, SingleDuration(write.Expiration));
        await WithCancellation(sent, token).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a sliding entry's refresh without waiting for it, so a sliding Get costs one awaited round trip. It
    /// extends the entry only if its header is still <paramref name="expectedHeader"/>. Commands on one connection run
    /// in order, so anything this process sends afterwards sees the extended TTL.
    /// </summary>
    public void ExtendInBackground(string key, byte[] expectedHeader)
    {
        // Not fire-and-forget: after a server restart the script comes back NOSCRIPT and must be sent again.
        _ = ExtendInBackgroundAsync(_connection.GetDatabase(), key, expectedHeader);
    }

    private async Task ExtendInBackgroundAsync(IDatabase database, string key, byte[] expectedHeader)
    {
        try
        {
            await EvaluateWithReloadAsync(database, LuaScripts.ExtendSliding, key, [expectedHeader]).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Log.RefreshFailed(_logger, key, exception);
        }
    }

    /// <summary>Refresh: extends a sliding entry, whatever its header, in one awaited script.</summary>
    public void Extend(string key) =>
        EvaluateWithReload(_connection.GetDatabase(), LuaScripts.ExtendSliding, key, [RedisValue.EmptyString]);

    public async Task ExtendAsync(string key, CancellationToken token)
    {
        var database = await _connection.GetDatabaseAsync(token).ConfigureAwait(false);
        await WithCancellation(EvaluateWithReloadAsync(database, LuaScripts.ExtendSliding, key, [RedisValue.EmptyString]), token).ConfigureAwait(false);
    }

    public bool Delete(string key) => _connection.GetDatabase().KeyDelete(key);

    public async Task<bool> DeleteAsync(string key, CancellationToken token)
    {
        var database = await _connection.GetDatabaseAsync(token).ConfigureAwait(false);
        return await WithCancellation(database.KeyDeleteAsync(key), token).ConfigureAwait(false);
    }

    private static TimeSpan? SingleDuration(EntryExpiration expiration)
    {
        var milliseconds = expiration.RelativeMilliseconds + expiration.SlidingMilliseconds; // at most one is set here
        return milliseconds == 0 ? null : TimeSpan.FromMilliseconds(milliseconds);
    }

    private static RedisValue[] WriteArguments(EntryWrite write) =>
    [
        write.Stored,
        write.Expiration.RelativeMilliseconds,
        write.Expiration.AbsoluteUnixMilliseconds,
        write.Expiration.SlidingMilliseconds,
        write.CapOffset,
    ];

    // The client loads a script once and then sends EVALSHA; after SCRIPT FLUSH or a restart the first EVALSHA fails
    // with NOSCRIPT and the client forgets the hash, so one more attempt sends the script itself.
    private static RedisResult EvaluateWithReload(IDatabase database, string script, string key, RedisValue[] arguments)
    {
        try
        {
            return database.ScriptEvaluate(script, [key], arguments);
        }
        catch (RedisServerException exception) when (IsNoScript(exception))
        {
            return database.ScriptEvaluate(script, [key], arguments);
        }
    }

    private static async Task<RedisResult> EvaluateWithReloadAsync(IDatabase database, string script, string key, RedisValue[] arguments)
    {
        try
        {
            return await database.ScriptEvaluateAsync(script, [key], arguments).ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (IsNoScript(exception))
        {
            return await database.ScriptEvaluateAsync(script, [key], arguments).ConfigureAwait(false);
        }
    }

    private static bool IsNoScript(RedisServerException exception) =>
        exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);

    // 1.2.6 cannot cancel a command once queued; a token stops the wait, not the command. When the wait is abandoned,
    // the command's own failure must still be observed, or it surfaces as an unobserved task exception.
    private static Task<T> WithCancellation<T>(Task<T> task, CancellationToken token)
    {
        ObserveFailureIfAbandoned(task, token);
        return token.CanBeCanceled ? task.WaitAsync(token) : task;
    }

    private static Task WithCancellation(Task task, CancellationToken token)
    {
        ObserveFailureIfAbandoned(task, token);
        return token.CanBeCanceled ? task.WaitAsync(token) : task;
    }

    private static void ObserveFailureIfAbandoned(Task task, CancellationToken token)
    {
        if (token.CanBeCanceled && !task.IsCompleted)
        {
            task.ContinueWith(static command => _ = command.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public void Dispose() => _connection.Dispose();

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
