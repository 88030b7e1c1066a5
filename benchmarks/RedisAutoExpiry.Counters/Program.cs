using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

// RedisAutoExpiry.Counters <pid> [seconds=5] [meter=RedisAutoExpiry]
// Listens to the app's System.Diagnostics.Metrics EventSource for the given meter (refreshed every second, as
// dotnet-counters does) and prints the last published value of each instrument and tag set, in dotnet-counters'
// monitor layout: counters as a rate per second, gauges as their value, histograms as percentiles.
if (args.Length == 0 || !int.TryParse(args[0], out var pid))
{
    Console.Error.WriteLine("usage: RedisAutoExpiry.Counters <pid> [seconds=5] [meter=RedisAutoExpiry]");
    return 2;
}

var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var meter = args.Length > 2 ? args[2] : "RedisAutoExpiry";
var sessionId = Guid.NewGuid().ToString();
var provider = new EventPipeProvider("System.Diagnostics.Metrics", EventLevel.Informational, keywords: 0x2 | 0x4, arguments: new Dictionary<string, string>
{
    ["SessionId"] = sessionId,
    ["Metrics"] = meter,
    ["RefreshInterval"] = "1",
    ["MaxTimeSeries"] = "1000",
    ["MaxHistograms"] = "100",
    ["ClientId"] = sessionId,
});

var latest = new SortedDictionary<(string Instrument, string Tags), string>();
var session = new DiagnosticsClient(pid).StartEventPipeSession([provider], requestRundown: false);
using var source = new EventPipeEventSource(session.EventStream);
source.Dynamic.All += e =>
{
    if (e.ProviderName != "System.Diagnostics.Metrics" || e.PayloadByName("sessionId") as string != sessionId)
    {
        return;
    }

    var instrument = (string)e.PayloadByName("instrumentName");
    var unit = e.PayloadByName("unit") as string;
    var tags = e.PayloadByName("tags") as string ?? string.Empty;
    var shown = e.EventName switch
    {
        "CounterRateValuePublished" or "UpDownCounterRateValuePublished" => ($"{instrument} ({unit} / 1 sec)", Number(e.PayloadByName("rate"))),
        "GaugeValuePublished" => ($"{instrument} ({unit})", Number(e.PayloadByName("lastValue"))),
        "HistogramValuePublished" => ($"{instrument} ({unit})", Quantiles(e.PayloadByName("quantiles") as string)),
        _ => (null, null),
    };
    if (shown.Item1 is { } name && shown.Item2 is { } value)
    {
        lock (latest)
        {
            latest[(name, tags)] = value;
        }
    }
};

var processing = Task.Run(source.Process);
await Task.Delay(TimeSpan.FromSeconds(seconds));
await session.StopAsync(CancellationToken.None);
await processing;

Console.WriteLine($"{"Name",-86} Current Value");
Console.WriteLine($"[{meter}]");
foreach (var group in latest.GroupBy(entry => entry.Key.Instrument))
{
    Console.WriteLine($"    {group.Key}");
    foreach (var ((_, tags), value) in group)
    {
        var label = tags.Length == 0 ? "(no tags)" : tags;
        Console.WriteLine($"        {label,-78} {value}");
    }
}

return 0;

static string? Number(object? payload) =>
    double.TryParse(payload as string, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
        ? value.ToString(value >= 100 || value == Math.Floor(value) ? "N0" : "N3", CultureInfo.InvariantCulture)
        : null;

// "0.5=0.000123;0.95=…;0.99=…" in the instrument's unit (seconds here): shown in milliseconds.
static string? Quantiles(string? payload) => string.IsNullOrEmpty(payload) ? null : string.Join("  ", payload.Split(';')
    .Select(pair => pair.Split('='))
    .Where(pair => pair.Length == 2 && double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
    .Select(pair => $"p{double.Parse(pair[0], CultureInfo.InvariantCulture) * 100:0}={double.Parse(pair[1], CultureInfo.InvariantCulture) * 1000:0.###} ms"));
