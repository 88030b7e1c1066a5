using System.Diagnostics;

namespace RedisAutoExpiry.FaultTest;

/// <summary>samples/WebApi as built (Release), on its own port, pointed at the fault test's Redis.</summary>
internal sealed class SampleProcess : IDisposable
{
    private readonly Process _process;

    public SampleProcess(string dll, int port, int redisPort, string adminKey, string logFile)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__Redis"] = $"127.0.0.1:{redisPort},allowAdmin=true";
        start.Environment["Cache__AdminApiKey"] = adminKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__RedisAutoExpiry"] = "Information";
        var log = new StreamWriter(logFile) { AutoFlush = true };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the sample.");
        _process.OutputDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    public async Task WaitUntilUpAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(BaseAddress, "/products/1"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
            }

            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
