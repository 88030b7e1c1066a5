using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedisAutoExpiry.Testing;

/// <summary>
/// Watches what clients send a server through MONITOR (INFO commandstats would count other tests' commands too).
/// Collects lines until a sentinel command shows up, so a test knows it has seen everything sent before it.
/// </summary>
public sealed class MonitorSession : IAsyncDisposable
{
    private readonly TcpClient _client = new();
    private StreamReader? _reader;

    public static async Task<MonitorSession> StartAsync(RedisServer server)
    {
        var session = new MonitorSession();
        await session._client.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = session._client.GetStream();
        await stream.WriteAsync("MONITOR\r\n"u8.ToArray());
        session._reader = new StreamReader(stream, Encoding.UTF8);
        var ok = await session._reader.ReadLineAsync();
        if (ok != "+OK")
        {
            throw new InvalidOperationException($"MONITOR answered {ok}");
        }

        return session;
    }

    /// <summary>
    /// Returns the commands (as MONITOR prints them after the timestamp: <c>[db client-or-lua] "CMD" "arg"…</c>) that mention <paramref name="text"/>,
    /// read until a line mentioning <paramref name="sentinel"/> arrives.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReadUntilAsync(string sentinel, string text, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var lines = new List<string>();
        while (true)
        {
            var line = await _reader!.ReadLineAsync(cancel.Token) ?? throw new InvalidOperationException("MONITOR closed.");
            if (line.Contains(sentinel, StringComparison.Ordinal))
            {
                return lines;
            }

            if (line.Contains(text, StringComparison.Ordinal))
            {
                lines.Add(line[(line.IndexOf(' ') + 1)..]);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
