using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RedisAutoExpiry.FaultTest;

// Usage: RedisAutoExpiry.FaultTest <WebApi.dll> [requests per second] [output directory]
// FAULT_TEST_NO_EVICTIONS=1 leaves the evictions out (to tell their cost from the outages').
var sampleDll = args.Length > 0 ? args[0] : throw new ArgumentException("Pass the path of the built samples/WebApi dll.");
var rate = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000;
var output = Directory.CreateDirectory(args.Length > 2 ? args[2] : Directory.CreateTempSubdirectory("fault-test-").FullName).FullName;
const string AdminKey = "fault-test-key";

using var redis = new RedisProcess(FreePort());
redis.Start();
using var sample = new SampleProcess(sampleDll, FreePort(), redis.Port, AdminKey, Path.Combine(output, "sample.log"));
using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
{
    BaseAddress = sample.BaseAddress,
    Timeout = TimeSpan.FromSeconds(30),
};
await sample.WaitUntilUpAsync(client);

var clock = Stopwatch.StartNew();
var load = new LoadGenerator(client, rate, clock);
var evictor = new Evictor(client, AdminKey);
using var stop = new CancellationTokenSource();
var loading = Task.Run(() => load.RunAsync(stop.Token));
var phases = new List<Phase>();

async Task PhaseAsync(string name, double seconds, Action? atStart = null)
{
    atStart?.Invoke();
    var start = clock.Elapsed.TotalSeconds;
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    phases.Add(new Phase(name, start, clock.Elapsed.TotalSeconds));
}

await PhaseAsync("warmup", 3);
await PhaseAsync("origin", 5, () => load.EveryRequestMisses = true);
load.EveryRequestMisses = false;
var evicting = Environment.GetEnvironmentVariable("FAULT_TEST_NO_EVICTIONS") is null ? Task.Run(() => evictor.RunAsync(stop.Token)) : Task.CompletedTask;
await PhaseAsync("steady", 5);
for (var i = 1; i <= 3; i++)
{
    await PhaseAsync($"kill {i}", 4, redis.Kill);
    await PhaseAsync($"recovery {i}", 6, redis.Start);
}

// CLIENT PAUSE ALL holds every client's commands for 3 s; the server stays up and its data stays.
var paused = clock.Elapsed.TotalSeconds;
if (redis.Command("CLIENT PAUSE 3000 ALL") != "+OK")
{
    throw new InvalidOperationException("CLIENT PAUSE failed.");
}

await Task.Delay(TimeSpan.FromSeconds(3));
phases.Add(new Phase("pause", paused, clock.Elapsed.TotalSeconds));
await PhaseAsync("recovery 4", 6);

stop.Cancel();
await Task.WhenAll(loading, evicting);
var report = Report.Write(load.Samples, evictor.Evictions, phases, load.Failures);
await File.WriteAllTextAsync(Path.Combine(output, "report.txt"), report);
await File.WriteAllLinesAsync(Path.Combine(output, "requests.csv"), new[] { "due_s,latency_ms,status,hit,product" }
    .Concat(load.Samples.OrderBy(s => s.DueAt).Select(s => FormattableString.Invariant($"{s.DueAt:0.000},{s.LatencyMs:0.0},{s.Status},{(s.Hit ? 1 : 0)},{s.ProductId}"))));
await File.WriteAllLinesAsync(Path.Combine(output, "phases.csv"), new[] { "phase,start_s,end_s" }
    .Concat(phases.Select(p => FormattableString.Invariant($"{p.Name},{p.Start:0.000},{p.End:0.000}"))));
Console.WriteLine(report);
Console.WriteLine($"Sample log and report: {output}");

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
