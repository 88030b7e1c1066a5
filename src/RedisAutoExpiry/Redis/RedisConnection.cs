using System.Net;
using Microsoft.Extensions.Logging;
using RedisAutoExpiry.Logging;
using StackExchange.Redis;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// Owns the one multiplexer a cache uses: created lazily on first use, shared by all callers, disposed with the cache
/// unless the app supplied it.
/// </summary>
/// <remarks>
/// One connection attempt is shared by every caller. A caller waits for it at most twice the configured connect timeout
/// plus 1 s (and no longer than its own token allows); the attempt itself goes on, and the multiplexer it yields
/// serves later calls.
/// </remarks>
internal sealed class RedisConnection : IDisposable, IAsyncDisposable
{
    private readonly RedisAutoExpiryCacheOptions _options;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private volatile IDatabase? _database;
    private Task<IDatabase>? _connecting;
    private TimeSpan _connectWait;
    private IConnectionMultiplexer? _multiplexer;
    private bool _ownsMultiplexer;
    private volatile bool _disposed;

    public RedisConnection(RedisAutoExpiryCacheOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>Raised once, on the connecting thread, when the multiplexer is in place (connected to Redis or not).</summary>
    public event Action? Connected;

    /// <summary>Raised on the client's thread whenever one of its connections to Redis comes back.</summary>
    public event Action? Restored;

    public IDatabase GetDatabase()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_database is { } database)
        {
            return database;
        }

        // Once per cache: the first sync call waits for the shared attempt, which runs on the thread pool (the app's
        // factory included), so nothing it awaits needs the caller's thread or synchronization context.
        var connecting = Connecting(out var timeout);
        if (!((IAsyncResult)connecting).AsyncWaitHandle.WaitOne(timeout))
        {
            throw ConnectTimeout(timeout);
        }

        return connecting.GetAwaiter().GetResult();
    }

    public ValueTask<IDatabase> GetDatabaseAsync(CancellationToken token)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var database = _database;
        return database is not null ? new ValueTask<IDatabase>(database) : new ValueTask<IDatabase>(WaitForConnectionAsync(token));
    }

    private async Task<IDatabase> WaitForConnectionAsync(CancellationToken token)
    {
        var connecting = Connecting(out var timeout);
        try
        {
            return await connecting.WaitAsync(timeout, token).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!connecting.IsCompleted)
        {
            throw ConnectTimeout(timeout);
        }
    }

    private Task<IDatabase> Connecting(out TimeSpan timeout)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connecting is null)
            {
                var configuration = BuildConfiguration();

                // The client's own wait is connectTimeout per attempt; a little more covers its handshake after connecting.
                _connectWait = TimeSpan.FromMilliseconds(configuration is null
                    ? 10_000
                    : Math.Min(configuration.ConnectTimeout * 2L + 1000, int.MaxValue));

                // On the thread pool: an app factory that blocks or throws at once must neither hold this lock nor
                // leave a failed attempt cached (ConnectAsync clears it when it fails).
                _connecting = Task.Run(() => ConnectAsync(configuration));

                // Every waiter may have given up before a late failure: observe it here (ConnectAsync logged it).
                TaskBounds.ObserveIfAbandoned(_connecting);
            }

            timeout = _connectWait;
            return _connecting;
        }
    }

    private async Task<IDatabase> ConnectAsync(ConfigurationOptions? configuration)
    {
        try
        {
            var owned = _options.ConnectionMultiplexerFactory is null;
            var multiplexer = _options.ConnectionMultiplexerFactory is { } factory
                ? await factory().ConfigureAwait(false)
                : await ConnectionMultiplexer.ConnectAsync(configuration!).ConfigureAwait(false);
            await RequireScriptingAsync(multiplexer, owned).ConfigureAwait(false);
            var database = Adopt(multiplexer, owned);
            Connected?.Invoke();
            return database;
        }
        catch (Exception exception)
        {
            Log.ConnectFailed(_logger, exception);

            // Let the next call try again rather than replay this failure forever.
            lock (_lock)
            {
                _connecting = null;
            }

            throw;
        }
    }

    // Every write is a Lua script (the entry and its tags in one atomic step), so a server that refuses scripts must
    // fail the start loudly rather than every Set later. Checked only when Redis is reachable now (a server down at
    // start is checked by its first script), and only a refusal counts: a transient failure of the probe (LOADING,
    // BUSY, a timeout) leaves the connection in use, so a restart does not turn every call into a new multiplexer.
    private static async Task RequireScriptingAsync(IConnectionMultiplexer multiplexer, bool owned)
    {
        if (!multiplexer.IsConnected)
        {
            return;
        }

        Exception? refusal = null;
        try
        {
            await multiplexer.GetDatabase().ScriptEvaluateAsync("return 1").ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("NOPERM", StringComparison.Ordinal)
            || exception.Message.Contains("unknown command", StringComparison.OrdinalIgnoreCase))
        {
            refusal = exception;
        }
        catch (RedisCommandException exception)
        {
            refusal = exception; // the client's own CommandMap disables EVAL or SCRIPT
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return;
        }

        if (refusal is null)
        {
            return;
        }

        if (owned)
        {
            multiplexer.Dispose();
        }

        throw new ScriptingRefusedException(
            "Redis refused to run a Lua script (" + refusal.Message + "). RedisAutoExpiry writes each entry with its " +
            "tags in one atomic script, so it needs scripting: allow EVAL, EVALSHA and SCRIPT on the server " +
            "(for an ACL user: +@scripting) and in the client's CommandMap.", refusal);
    }

    private ConfigurationOptions? BuildConfiguration()
    {
        if (_options.ConnectionMultiplexerFactory is not null)
        {
            return null;
        }

        var configuration = _options.ConfigurationOptions?.Clone()
            ?? (string.IsNullOrWhiteSpace(_options.Configuration)
                ? throw new InvalidOperationException(
                    "No Redis connection is configured. Set RedisAutoExpiryCacheOptions.Configuration, ConfigurationOptions " +
                    "or ConnectionMultiplexerFactory, or add a connection string named \"Redis\" (ConnectionStrings:Redis).")
                : ConfigurationOptions.Parse(_options.Configuration));

        // A cache must let the app start while Redis is down; the multiplexer keeps retrying in the background, and
        // meanwhile each call fails at once rather than waiting in a queue.
        configuration.AbortOnConnectFail = false;
        ClientBacklog.FailFastUnlessChosen(configuration);

        // Sync calls are bounded by the client's own timeout, so it is the cache's. Async calls have the cache's own
        // bound (the client checks its async timeout only once a second, on its heartbeat).
        configuration.SyncTimeout = (int)Math.Ceiling(_options.Resilience.OperationTimeout.TotalMilliseconds);
        return configuration;
    }

    private IDatabase Adopt(IConnectionMultiplexer multiplexer, bool owned)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                // Disposed while connecting: nobody will use this multiplexer.
                if (owned)
                {
                    multiplexer.Dispose();
                }

                throw new ObjectDisposedException(nameof(RedisAutoExpiryCache));
            }

            _multiplexer = multiplexer;
            _ownsMultiplexer = owned;
            multiplexer.ConnectionRestored += OnRestored;
        }

        var endpoints = string.Join(", ", multiplexer.GetEndPoints().Select(Format));
        if (multiplexer.IsConnected)
        {
            Log.Connected(_logger, endpoints);
        }
        else
        {
            Log.NotConnected(_logger, endpoints);
        }

        return _database = multiplexer.GetDatabase();
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs args) => Restored?.Invoke();

    private static TimeoutException ConnectTimeout(TimeSpan timeout) =>
        new($"Connecting to Redis did not finish within {timeout.TotalMilliseconds:0} ms (twice connectTimeout, plus 1 s). " +
            "The attempt goes on in the background; later calls use the connection once it is made.");

    private static string Format(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? string.Empty,
    };

    public void Dispose()
    {
        IConnectionMultiplexer? toDispose;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_multiplexer is not null)
            {
                _multiplexer.ConnectionRestored -= OnRestored; // an app's multiplexer outlives the cache
            }

            toDispose = _ownsMultiplexer ? _multiplexer : null;
            _multiplexer = null;
            _database = null;
        }

        // An attempt still running disposes its own multiplexer when it finishes (see Adopt).
        toDispose?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
