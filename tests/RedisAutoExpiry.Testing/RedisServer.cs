using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace RedisAutoExpiry.Testing;

/// <summary>
/// A real redis-server process on a free loopback port, started from a config file in <c>servers/</c> and killed on
/// dispose (or when the test process exits).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly Lazy<Task<RedisServer>> SharedServer = new(() => StartAsync("default.conf"));

    private readonly string[] _arguments;
    private readonly string _directory;
    private Process _process;

    private RedisServer(Process process, int port, string directory, string[] arguments)
    {
        _process = process;
        Port = port;
        _directory = directory;
        _arguments = arguments;
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
        var config = Path.Combine(AppContext.BaseDirectory, "servers", configFile);
        if (!File.Exists(config))
        {
            throw new FileNotFoundException($"Redis test config '{config}' is missing.");
        }

        string[] all = [config, .. arguments];
        Exception? last = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = FreePort();
            var directory = Directory.CreateTempSubdirectory("redis-test-").FullName;
            var (process, failure) = await LaunchAsync(port, directory, all);
            if (process is not null)
            {
                return new RedisServer(process, port, directory, all);
            }

            last = failure;
        }

        throw last!;
    }

    /// <summary>
    /// Kills the server (no shutdown save) and starts it again on the same port, directory and settings: what a
    /// crash and a supervisor's restart look like to clients. Data survives only if the test saved it (SAVE).
    /// </summary>
    public async Task RestartAsync()
    {
        Stop();
        var (process, failure) = await LaunchAsync(Port, _directory, _arguments);
        _process.Dispose();
        _process = process ?? throw failure!;
    }

    private static async Task<(Process? Process, Exception? Failure)> LaunchAsync(int port, string directory, string[] arguments)
    {
        var binary = RedisServerLocator.Find();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(arguments[0]);
        foreach (var argument in new[] { "--port", port.ToString(), "--dir", directory, "--bind", "127.0.0.1" }.Concat(arguments.Skip(1)))
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
            return (process, null);
        }

        try { process.Kill(); } catch (InvalidOperationException) { }
        lock (output)
        {
            return (null, new InvalidOperationException($"redis-server did not answer on port {port}: {output}"));
        }
    }

    /// <summary>Kills the server and keeps its directory (a restart may load what it saved).</summary>
    public void Stop()
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
    }

    /// <summary>
    /// Stops the server's process (SIGSTOP) without closing its sockets: the kernel's buffers fill and then nothing
    /// moves, as with a server that hangs or a network that drops packets. <see cref="Thaw"/> lets it go on.
    /// </summary>
    public void Freeze() => Signal(SignalStop);

    /// <summary>Lets a frozen server go on (SIGCONT).</summary>
    public void Thaw() => Signal(SignalContinue);

    // Linux's signal numbers (x86-64 and arm64). Sent through libc rather than the kill command, which a bare machine
    // may lack (it comes with procps).
    private const int SignalStop = 19;
    private const int SignalContinue = 18;

    private void Signal(int signal)
    {
        if (SendSignal(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    public void Kill()
    {
        Stop();
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
                // A server that wants a password, or whose default user may not PING, still answers.
                if (Encoding.ASCII.GetString(buffer, 0, read) is var reply
                    && (reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal)
                        || reply.StartsWith("-NOPERM", StringComparison.Ordinal)))
                {
                    return true;
                }
            }
            catch (Exception exception) when (exception is SocketException or IOException)
            {
                // Not listening yet, or it reset the connection while starting: try again.
            }

            await Task.Delay(25);
        }

        return false;
    }
}
