namespace RedisAutoExpiry.FaultTest;

/// <summary>
/// Evicts one product's tag through the sample's endpoint every 250 ms; half the time it evicts the same tag again at
/// once, so a response rendered before an eviction and stored after it would show up as stale.
/// </summary>
internal sealed class Evictor(HttpClient client, string adminKey)
{
    private readonly List<Eviction> _evictions = [];

    public IReadOnlyList<Eviction> Evictions => _evictions;

    public async Task RunAsync(CancellationToken stop)
    {
        var random = new Random(7);
        while (!stop.IsCancellationRequested)
        {
            var product = random.Next(1, 4);
            await EvictAsync(product);
            if (random.Next(2) == 0)
            {
                await EvictAsync(product);
            }

            try
            {
                await Task.Delay(250, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task EvictAsync(int product)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/cache/tags/product:{product}");
        request.Headers.Add("X-Api-Key", adminKey);
        var sent = DateTime.UtcNow;
        int status;
        try
        {
            using var response = await client.SendAsync(request);
            status = (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            status = 0;
        }

        _evictions.Add(new Eviction(product, sent, DateTime.UtcNow, status));
    }
}
