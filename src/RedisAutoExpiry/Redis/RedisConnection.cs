using System.Net;
using Microsoft.Extensions.Logging;
using RedisAutoExpiry.Logging;
using StackExchange.Redis;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// Owns the one multiplexer a cache uses: created lazily on first use, shared by all callers, disposed with the cache
/// unless the app supplied it.
/// </summary>
internal sealed class RedisConnection : IDisposable, IAsyncDisposable
{
    private readonly RedisAutoExpiryCacheOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile IDatabase? _database;
    private IConnectionMultiplexer? _multiplexer;
    private bool _ownsMultiplexer;
    private volatile bool _disposed;

    public RedisConnection(RedisAutoExpiryCacheOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    public IDatabase GetDatabase()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _database ?? Connect();
    }

    public ValueTask<IDatabase> GetDatabaseAsync(CancellationToken token)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var database = _database;
        return database is not null ? new ValueTask<IDatabase>(database) : new ValueTask<IDatabase>(ConnectAsync(token));
    }

    private IDatabase Connect()
    {
        _gate.Wait();
        try
        {
            if (_database is { } database)
            {
                return database;
            }

            // A user factory is async only; blocking on it happens once, on the first sync call.
            var multiplexer = _options.ConnectionMultiplexerFactory is { } factory
                ? factory().GetAwaiter().GetResult()
                : ConnectionMultiplexer.Connect(BuildConfiguration());
            return Adopt(multiplexer, owned: _options.ConnectionMultiplexerFactory is null);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IDatabase> ConnectAsync(CancellationToken token)
    {
        await _gate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (_database is { } database)
            {
                return database;
            }

            var multiplexer = _options.ConnectionMultiplexerFactory is { } factory
                ? await factory().ConfigureAwait(false)
                : await ConnectionMultiplexer.ConnectAsync(BuildConfiguration()).ConfigureAwait(false);
            return Adopt(multiplexer, owned: _options.ConnectionMultiplexerFactory is null);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ConfigurationOptions BuildConfiguration()
    {
        var configuration = _options.ConfigurationOptions?.Clone()
            ?? (string.IsNullOrWhiteSpace(_options.Configuration)
                ? throw new InvalidOperationException(
                    "No Redis connection is configured. Set RedisAutoExpiryCacheOptions.Configuration, ConfigurationOptions " +
                    "or ConnectionMultiplexerFactory, or add a connection string named \"Redis\" (ConnectionStrings:Redis).")
                : ConfigurationOptions.Parse(_options.Configuration));

        // A cache must let the app start while Redis is down; the multiplexer keeps retrying in the background.
        configuration.AbortOnConnectFail = false;
        return configuration;
    }

    private IDatabase Adopt(IConnectionMultiplexer multiplexer, bool owned)
    {
        if (_disposed)
        {
            if (owned)
            {
                multiplexer.Dispose();
            }

            throw new ObjectDisposedException(nameof(RedisAutoExpiryCache));
        }

        if (owned)
        {
            // On by default in 1.2.6, it funnels every async completion through one queue: off, async throughput more
            // than doubles (see ANCHORS). 2.x ignores it (always off), so setting it is safe on both.
#pragma warning disable CS0618 // obsolete in 2.x; still present there as a no-op.
            multiplexer.PreserveAsyncOrder = false;
#pragma warning restore CS0618
        }

        _multiplexer = multiplexer;
        _ownsMultiplexer = owned;
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

    private static string Format(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? string.Empty,
    };

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _gate.Wait();
        try
        {
            if (_ownsMultiplexer)
            {
                _multiplexer?.Dispose();
            }

            _multiplexer = null;
            _database = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
