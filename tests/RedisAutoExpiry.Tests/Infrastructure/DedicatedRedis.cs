using RedisAutoExpiry.Testing;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>A redis-server of one test's own (for tests that change server settings), with an inspecting connection.</summary>
public sealed class DedicatedRedis : IAsyncDisposable
{
    private DedicatedRedis(RedisServer server, ConnectionMultiplexer inspector)
    {
        Server = server;
        Multiplexer = inspector;
    }

    public RedisServer Server { get; }

    public ConnectionMultiplexer Multiplexer { get; }

    public IDatabase Inspector => Multiplexer.GetDatabase();

    public static async Task<DedicatedRedis> StartAsync(string configFile, params string[] arguments)
    {
        var server = await RedisServer.StartAsync(configFile, arguments);
        return new DedicatedRedis(server, await ConnectionMultiplexer.ConnectAsync(server.ConnectionString()));
    }

    public async Task<string> ConfigGetAsync(string setting) =>
        (await Multiplexer.GetServer(Server.Endpoint).ConfigGetAsync(setting)).Single().Value;

    /// <summary>How many clients listen for expired-key events: the cache's listener is ready when this is 1.</summary>
    public async Task<long> ExpiredListenersAsync()
    {
        var reply = (RedisResult[])(await Inspector.ExecuteAsync("PUBSUB", "NUMSUB", "__keyevent@0__:expired"))!;
        return (long)reply[1];
    }

    public async ValueTask DisposeAsync()
    {
        Multiplexer.Dispose();
        await Server.DisposeAsync();
    }
}
