using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace RedisAutoExpiry.Testing;

/// <summary>
/// A loopback TCP proxy that holds every chunk for a fixed delay in each direction, so one network round trip costs
/// about twice that delay. Tests use it to count round trips by latency without timing the machine itself.
/// </summary>
public sealed class DelayProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _acceptLoop;

    public DelayProxy(int upstreamPort, TimeSpan delay)
    {
        _upstreamPort = upstreamPort;
        _delay = delay;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>While set, new connections are accepted and closed at once, as if the server were unreachable.</summary>
    public bool RefuseNewConnections { get; set; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient downstream;
            try
            {
                downstream = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            if (RefuseNewConnections)
            {
                downstream.Dispose();
                continue;
            }

            var upstream = new TcpClient { NoDelay = true };
            downstream.NoDelay = true;
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort);
            lock (_clients)
            {
                _clients.Add(downstream);
                _clients.Add(upstream);
            }

            _ = PumpAsync(downstream.GetStream(), upstream.GetStream());
            _ = PumpAsync(upstream.GetStream(), downstream.GetStream());
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var queue = Channel.CreateUnbounded<(long Due, byte[] Data)>();
        var writer = Task.Run(async () =>
        {
            await foreach (var (due, data) in queue.Reader.ReadAllAsync())
            {
                var wait = due - Environment.TickCount64;
                if (wait > 0)
                {
                    await Task.Delay((int)wait);
                }

                await to.WriteAsync(data);
            }
        });
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                queue.Writer.TryWrite((Environment.TickCount64 + (long)_delay.TotalMilliseconds, buffer[..read]));
            }
        }
        catch (Exception)
        {
            // The connection closed or the proxy stopped: either way this direction is done.
        }

        queue.Writer.TryComplete();
        try { await writer; } catch (Exception) { }
        to.Socket.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        await _acceptLoop;
        _stop.Dispose();
    }
}
