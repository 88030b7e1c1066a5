using System.Globalization;
using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Testing;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks.TagMemory;

/// <summary>
/// What tags cost in Redis memory: <c>used_memory</c> after writing the same entries through the cache untagged, with
/// two shared tags each, and with one tag unique to each entry. The differences, per entry, are the indexes and the
/// tag set memberships. Run: <c>dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- tag-memory</c>.
/// </summary>
internal static class TagMemoryBenchmark
{
    private const int Entries = 20_000;
    private const int Runs = 3;
    private static readonly DistributedCacheEntryOptions Options = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };

    public static async Task<int> RunAsync()
    {
        await using var server = await RedisServer.StartAsync("default.conf");
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString());
        var admin = multiplexer.GetServer(server.Endpoint);
        await using var cache = new RedisAutoExpiryCache(new RedisAutoExpiryCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer),
            InstanceName = "app:",
            Tags = { ListenForKeyspaceNotifications = false, SweepInterval = Timeout.InfiniteTimeSpan },
        });

        var shared = new List<double>();
        var unique = new List<double>();
        for (var run = 1; run <= Runs; run++)
        {
            var untagged = await MeasureAsync(admin, cache, _ => []);
            var twoShared = await MeasureAsync(admin, cache, i => ["products", $"category:{i % 100}"]);
            var oneUnique = await MeasureAsync(admin, cache, i => [$"product:{i}"]);
            shared.Add((twoShared - untagged) / (double)Entries);
            unique.Add((oneUnique - untagged) / (double)Entries);
            Console.WriteLine($"run {run}: untagged {untagged:N0} B, two shared tags {twoShared:N0} B, one unique tag {oneUnique:N0} B " +
                              $"=> per entry +{shared[^1]:F0} B (two shared), +{unique[^1]:F0} B (one unique)");
        }

        Console.WriteLine($"median per entry over {Runs} runs of {Entries:N0} entries: two shared tags +{Median(shared):F0} B, " +
                          $"one unique tag +{Median(unique):F0} B");
        return 0;
    }

    private static async Task<long> MeasureAsync(IServer admin, RedisAutoExpiryCache cache, Func<int, string[]> tags)
    {
        await admin.FlushAllDatabasesAsync();
        var value = new byte[100];
        for (var start = 0; start < Entries; start += 500)
        {
            await Task.WhenAll(Enumerable.Range(start, 500).Select(i => cache.SetAsync($"product:{i}", value, Options, tags(i))));
        }

        var memory = (await admin.InfoAsync("memory")).SelectMany(group => group).Single(pair => pair.Key == "used_memory").Value;
        return long.Parse(memory, CultureInfo.InvariantCulture);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
