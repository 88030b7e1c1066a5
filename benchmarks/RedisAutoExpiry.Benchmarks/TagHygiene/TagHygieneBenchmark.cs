using System.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Benchmarks.Report;
using RedisAutoExpiry.Testing;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks.TagHygiene;

/// <summary>
/// P8, tag sets after expiry: 100,000 entries, each with a tag shared by all and one of 100 group tags, written with
/// a 2 s TTL through a cache that listens for keyspace notifications (the default; it configures the server too).
/// From the moment the last TTL runs out, it polls every 50 ms: the entries Redis still holds, and the members left
/// in the tag sets plus the indexes left (all stale, since every entry expired). The sweep runs at its default
/// interval (5 minutes), so what cleans up within the run is the notification listener.
/// <code>dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- tag-hygiene [--runs 3] [--entries 100000] [--json file]</code>
/// </summary>
internal static class TagHygieneBenchmark
{
    private const int Callers = 64;
    private const int Groups = 100;
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Statistics.IntOption(args, "--runs", 3);
        var entries = Statistics.IntOption(args, "--entries", 100_000);
        await using var server = await RedisServer.StartAsync("default.conf");
        using var control = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString());
        var admin = control.GetServer(server.Endpoint);
        var results = new List<TagHygieneResult>();
        for (var run = 1; run <= runs; run++)
        {
            await control.GetDatabase().ExecuteAsync("FLUSHALL", "SYNC"); // not freed in the background during the run
            await using var cache = new RedisAutoExpiryCache(new RedisAutoExpiryCacheOptions { Configuration = server.ConnectionString() });
            await cache.GetAsync("connect"); // starts the listener
            await WaitForListenerAsync(cache);
            var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = Ttl };
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < entries)
                {
                    await cache.SetAsync($"item:{i}", new byte[100], options, ["all", $"group:{i % Groups}"]).ConfigureAwait(false);
                }
            }));

            // The last entry written expires at most Ttl from now.
            var deadline = Stopwatch.GetTimestamp() + (long)(Ttl.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(20);
            }

            double? entriesGone = null, clean = null;
            long staleAtFive = -1;
            var database = control.GetDatabase();
            while (Stopwatch.GetElapsedTime(deadline) < GiveUp && clean is null)
            {
                var elapsed = Stopwatch.GetElapsedTime(deadline).TotalSeconds;
                var entriesLeft = admin.Keys(pattern: "item:*", pageSize: 5000).Count();
                var stale = await database.SetLengthAsync("#rae:tag:all");
                for (var group = 0; group < Groups; group++)
                {
                    stale += await database.SetLengthAsync($"#rae:tag:group:{group}");
                }

                stale += admin.Keys(pattern: "#rae:entry-tags:*", pageSize: 5000).Count();
                if (entriesLeft == 0)
                {
                    entriesGone ??= elapsed;
                }

                if (staleAtFive < 0 && elapsed >= 5)
                {
                    staleAtFive = stale;
                }

                if (entriesLeft == 0 && stale == 0)
                {
                    clean = elapsed;
                    staleAtFive = elapsed < 5 ? 0 : staleAtFive;
                }
                else
                {
                    await Task.Delay(50);
                }
            }

            var result = new TagHygieneResult(run, entries, entriesGone ?? double.NaN, clean ?? double.NaN, staleAtFive);
            results.Add(result);
            Console.WriteLine($"run {run}: {entries:N0} entries; all expired {result.EntriesGoneSeconds:0.00} s after the last TTL, " +
                              $"tag sets clean {result.CleanSeconds:0.00} s after it; stale members at 5 s: {result.StaleAtFiveSeconds}");
        }

        await ResultFile.WriteAsync(args, results);
        return results.All(r => r.StaleAtFiveSeconds == 0) ? 0 : 1;
    }

    private static async Task WaitForListenerAsync(RedisAutoExpiryCache cache)
    {
        var waited = Stopwatch.StartNew();
        while (!cache.Maintenance.IsSubscribed && waited.Elapsed < GiveUp)
        {
            await Task.Delay(20);
        }
    }
}
