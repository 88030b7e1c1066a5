using System.Globalization;
using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Benchmarks.Report;
using RedisAutoExpiry.Testing;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks.TagMemory;

/// <summary>
/// P7, what an entry costs in Redis memory: <c>used_memory</c> growth per entry for 100,000 entries of 1 KiB written
/// through the cache with two tags (one shared by all entries, one unique to each), against the same payloads written
/// as bare string keys with the same TTL (SET PX). The difference is the tag index and the two tag set memberships (a
/// value like these is stored without a header). Run: <c>dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- tag-memory [--runs 3]
/// [--entries 100000] [--json file]</c>.
/// </summary>
internal static class TagMemoryBenchmark
{
    private const int ValueSize = 1024;
    private const int Callers = 64;
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(1);
    private static readonly DistributedCacheEntryOptions Options = new() { AbsoluteExpirationRelativeToNow = Ttl };

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Statistics.IntOption(args, "--runs", 3);
        var entries = Statistics.IntOption(args, "--entries", 100_000);
        await using var server = await RedisServer.StartAsync("default.conf");
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString());
        var admin = multiplexer.GetServer(server.Endpoint);
        var database = multiplexer.GetDatabase();
        await using var cache = new RedisAutoExpiryCache(new RedisAutoExpiryCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer),
            Tags = { ListenForKeyspaceNotifications = false, SweepInterval = Timeout.InfiniteTimeSpan },
        });

        var value = new byte[ValueSize];
        Random.Shared.NextBytes(value);
        var results = new List<TagMemoryResult>();
        for (var run = 1; run <= runs; run++)
        {
            var bare = await GrowthAsync(admin, database, entries, i => database.StringSetAsync($"product:{i}", value, Ttl));
            var tagged = await GrowthAsync(admin, database, entries, i => cache.SetAsync($"product:{i}", value, Options, ["products", $"product:{i}"]));
            var result = new TagMemoryResult(run, entries, ValueSize, bare / (double)entries, tagged / (double)entries);
            results.Add(result);
            Console.WriteLine($"run {run}: bare {result.BarePerEntry:F0} B/entry, cache with two tags {result.CachePerEntry:F0} B/entry " +
                              $"=> +{result.OverheadPerEntry:F0} B");
        }

        Console.WriteLine($"median over {runs} runs of {entries:N0} entries of {ValueSize} B: +{Statistics.Median(results.Select(r => r.OverheadPerEntry)):F0} B per entry");
        await ResultFile.WriteAsync(args, results);
        return 0;
    }

    // used_memory after writing the entries, less used_memory of the empty server just before. FLUSHALL SYNC: a server
    // that frees a flush in the background (lazyfree-lazy-user-flush, on by default in Valkey 8) would otherwise count
    // the previous run's entries as not yet freed.
    private static async Task<long> GrowthAsync(IServer admin, IDatabase database, int entries, Func<int, Task> write)
    {
        await database.ExecuteAsync("FLUSHALL", "SYNC");
        var before = await UsedMemoryAsync(admin);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < entries)
            {
                await write(i).ConfigureAwait(false);
            }
        }));

        return await UsedMemoryAsync(admin) - before;
    }

    private static async Task<long> UsedMemoryAsync(IServer admin)
    {
        var memory = (await admin.InfoAsync("memory")).SelectMany(group => group).Single(pair => pair.Key == "used_memory").Value;
        return long.Parse(memory, CultureInfo.InvariantCulture);
    }
}
