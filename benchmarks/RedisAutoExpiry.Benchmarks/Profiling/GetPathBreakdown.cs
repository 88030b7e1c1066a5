using System.Diagnostics;
using System.Runtime.CompilerServices;
using RedisAutoExpiry.Benchmarks.Report;
using RedisAutoExpiry.Diagnostics;
using RedisAutoExpiry.Redis;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks.Profiling;

/// <summary>
/// Where P1's gap lies: 64 callers Get one 1 KiB entry through each layer the cache adds to the raw client, in
/// alternating short rounds, each layer's rate taken against the raw client's in the same round. Layers: the raw
/// <c>StringGetAsync</c>; the raw call awaited inside one more async method (what any wrapper costs); the raw call
/// bounded by <see cref="ReplyWatchdog"/> (the client checks its own async timeout only once a second);
/// <see cref="RedisStore.GetAsync"/> (the bound plus breaker, metrics and span); a lean Get (the bound on pooled state,
/// the task wrapper and the hit count: the floor of a path trimmed for hits); and the cache's <c>GetAsync</c> (plus key
/// check and decoding). Beside each rate, the
/// CPU time per call of this process and of redis-server (<c>INFO cpu</c>), which the hypervisor's steal inflates less
/// than it does rates (it still rises in a slow spell: compare layers within one run, not across runs).
/// <code>dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- get-path [--rounds 41] [--milliseconds 150]</code>
/// </summary>
internal static class GetPathBreakdown
{
    private const int Callers = 64;
    private const string Key = "path:get";

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Statistics.IntOption(args, "--rounds", 41);
        var duration = TimeSpan.FromMilliseconds(Statistics.IntOption(args, "--milliseconds", 150));
        await using var redis = await RedisFixture.StartAsync();
        await redis.Cache.SetAsync(Key, new byte[1024], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        using var watchdog = new ReplyWatchdog(TimeSpan.FromSeconds(5));
        var layers = new (string Name, Func<int, Task> Call)[]
        {
            ("raw StringGetAsync", _ => redis.Database.StringGetAsync(Key)),
            ("+ one async wrapper", async _ => await redis.Database.StringGetAsync(Key).ConfigureAwait(false)),
            ("+ reply bound", async _ => await watchdog.WaitAsync(redis.Database.StringGetAsync(Key))),
            ("RedisStore.GetAsync", async _ => await redis.Cache.Store.GetAsync(Key, CancellationToken.None).ConfigureAwait(false)),
            ("lean bounded Get", _ => LeanGetAsync(redis.Database, watchdog, redis.Cache.Store.Metrics).AsTask()),
            ("cache GetAsync", _ => redis.Cache.GetAsync(Key)),
        };

        foreach (var layer in layers)
        {
            await LoadRound.MeasureAsync(Callers, layer.Call, duration); // warm-up
        }

        var rates = layers.Select(_ => new List<double>()).ToArray();
        var clientCpu = layers.Select(_ => new List<double>()).ToArray();
        var serverCpu = layers.Select(_ => new List<double>()).ToArray();
        var server = redis.Multiplexer.GetServer(redis.Server.Endpoint);
        for (var round = 0; round < rounds; round++)
        {
            // Forward, then backward: no layer always runs right after the same one.
            var order = round % 2 == 0 ? Enumerable.Range(0, layers.Length) : Enumerable.Range(0, layers.Length).Reverse();
            foreach (var i in order)
            {
                var redisCpu = await RedisServerCpu.SecondsAsync(server);
                var (client, started) = (Environment.CpuUsage.TotalTime, Stopwatch.GetTimestamp());
                var rate = (await LoadRound.MeasureAsync(Callers, layers[i].Call, duration)).Rate;
                var calls = rate * Stopwatch.GetElapsedTime(started).TotalSeconds;
                rates[i].Add(rate);
                clientCpu[i].Add((Environment.CpuUsage.TotalTime - client).TotalMicroseconds / calls);
                serverCpu[i].Add((await RedisServerCpu.SecondsAsync(server) - redisCpu) * 1e6 / calls);
            }
        }

        for (var i = 0; i < layers.Length; i++)
        {
            var ratio = Statistics.Median(rates[i].Zip(rates[0], (layer, raw) => layer / raw));
            Console.WriteLine($"{layers[i].Name,-22} {Statistics.Median(rates[i]),9:N0}/s  {ratio:0.00}x of raw (median of {rounds} rounds' ratios)  " +
                              $"CPU per call: client {Statistics.Median(clientCpu[i]),5:0.0} µs, redis-server {Statistics.Median(serverCpu[i]),4:0.0} µs");
        }

        return 0;
    }

    // The shape of the cache's Get with nothing but the bound and the hit count: what a path trimmed for hits could
    // reach at best (no breaker check, duration, span, key check or sliding lookup).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<byte[]?> LeanGetAsync(IDatabase database, ReplyWatchdog watchdog, CacheMetrics metrics)
    {
        var value = (byte[]?)await watchdog.WaitAsync(database.StringGetAsync(Key));
        metrics.Lookup(value is not null, CacheMetrics.DistributedCache);
        return value;
    }
}
