using System.Diagnostics;
using System.Text.Json;

namespace RedisAutoExpiry.FaultTest;

/// <summary>
/// Sends GETs at a fixed rate whatever the server does (open loop), to the sample's three products and its list, or
/// while <see cref="EveryRequestMisses"/> is on, to URLs never seen before (each one rendered by the app).
/// </summary>
internal sealed class LoadGenerator(HttpClient client, int requestsPerSecond, Stopwatch clock)
{
    private readonly List<Sample> _samples = [];
    private long _unique;

    public volatile bool EveryRequestMisses;

    public IReadOnlyList<Sample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    public int Failures { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        var interval = 1.0 / requestsPerSecond;
        var due = clock.Elapsed.TotalSeconds;
        var running = new List<Task>();
        long sent = 0;
        while (!stop.IsCancellationRequested)
        {
            while (due <= clock.Elapsed.TotalSeconds)
            {
                running.Add(SendAsync(due, sent++));
                due += interval;
            }

            if (running.Count > 4096)
            {
                running.RemoveAll(static task => task.IsCompleted);
            }

            await Task.Delay(1, CancellationToken.None);
        }

        await Task.WhenAll(running);
    }

    private async Task SendAsync(double due, long sequence)
    {
        var product = (int)(sequence % 4); // 0: the list
        var url = product == 0 ? "/products" : $"/products/{product}";
        if (EveryRequestMisses)
        {
            url += $"?miss={Interlocked.Increment(ref _unique)}";
        }

        var sentUtc = DateTime.UtcNow;
        try
        {
            using var response = await client.GetAsync(url);
            var body = await response.Content.ReadAsByteArrayAsync();
            var latency = (clock.Elapsed.TotalSeconds - due) * 1000;
            var generatedAt = product > 0 && response.IsSuccessStatusCode ? GeneratedAt(body) : null;
            var sample = new Sample(due, latency, (int)response.StatusCode, response.Headers.Age is not null, product, sentUtc, generatedAt);
            lock (_samples)
            {
                _samples.Add(sample);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            lock (_samples)
            {
                Failures++;
            }
        }
    }

    private static DateTime? GeneratedAt(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.TryGetProperty("generatedAt", out var value) ? value.GetDateTime().ToUniversalTime() : null;
    }
}
