using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedisAutoExpiry.FaultTest;

/// <summary>A redis-server on a loopback port that the fault test kills, restarts (same port, empty) and pauses.</summary>
internal sealed class RedisProcess(int port) : IDisposable
{
    private Process? _process;

    public int Port { get; } = port;

    public void Start()
    {
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--notify-keyspace-events", "Exe", "--loglevel", "warning" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server.");
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        var deadline = Stopwatch.StartNew();
        while (Command("PING") != "+PONG")
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"redis-server did not answer on port {Port}.");
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>SIGKILL: a crash, no shutdown save.</summary>
    public void Kill()
    {
        _process?.Kill();
        _process?.WaitForExit();
        _process?.Dispose();
        _process = null;
    }

    /// <summary>One inline command; the first line of the reply, or null when nothing answers.</summary>
    public string? Command(string command)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            stream.Write(Encoding.ASCII.GetBytes(command + "\r\n"));
            var buffer = new byte[256];
            var read = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        }
        catch (SocketException)
        {
            return null;
        }
    }

    public void Dispose() => Kill();
}
