using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedisAutoExpiry.Testing;

/// <summary>
/// A real redis-server process on a free loopback port, started from a config file in <c>servers/</c> and killed on
/// dispose (or when the test process exits).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly Lazy<Task<RedisServer>> SharedServer = new(() => StartAsync("default.conf"));

    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        _directory = directory;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill();
    }

    /// <summary>One server shared by every test in the process; tests keep apart by key prefix.</summary>
    public static Task<RedisServer> Shared => SharedServer.Value;

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>A StackExchange.Redis connection string for this server, with extra options appended.</summary>
    public string ConnectionString(string extra = "") =>
        $"{Endpoint},allowAdmin=true,connectTimeout=5000,syncTimeout=5000{(extra.Length > 0 ? "," + extra : string.Empty)}";

    public bool IsRunning => !_process.HasExited;

    /// <summary>Starts a server with <paramref name="configFile"/> (a file name under servers/) and extra arguments.</summary>
    public static async Task<RedisServer> StartAsync(string configFile = "default.conf", params string[] arguments)
    {
        var binary = RedisServerLocator.Find();
        var config = Path.Combine(AppContext.BaseDirectory, "servers", configFile);
        if (!File.Exists(config))
        {
            throw new FileNotFoundException($"Redis test config '{config}' is missing.");
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = FreePort();
            var directory = Directory.CreateTempSubdirectory("redis-test-").FullName;
            var start = new ProcessStartInfo(binary)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(config);
            foreach (var argument in new[] { "--port", port.ToString(), "--dir", directory, "--bind", "127.0.0.1" }.Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}.");
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (await WaitForPingAsync(port, process, TimeSpan.FromSeconds(10)))
            {
                return new RedisServer(process, port, directory);
            }

            try { process.Kill(); } catch (InvalidOperationException) { }
            lock (output)
            {
                last = new InvalidOperationException($"redis-server did not answer on port {port}: {output}");
            }
        }

        throw last!;
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> WaitForPingAsync(int port, Process process, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (SocketException)
            {
            }

            await Task.Delay(25);
        }

        return false;
    }
}
