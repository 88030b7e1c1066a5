using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using RedisAutoExpiry.Redis;
using RedisAutoExpiry.Tagging;
using RedisAutoExpiry.Testing;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks.TagEviction;

/// <summary>
/// Evicting a tag with 100,000 members: how long until every entry is gone, the longest single command Redis ran
/// (SLOWLOG), and what a concurrent reader saw meanwhile, against an idle reader and against an unchunked one-shot
/// script; plus a sweep of page sizes. Not BenchmarkDotNet: one eviction takes seconds and needs a fresh population,
/// and the reader's latency distribution is the result, not a mean.
/// <code>dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- tag-eviction [--runs 5] [--members 100000] [--tags 2]
/// [--library-only] [--json file]</code> (<c>--library-only</c>: the eviction and the idle reader, no reference or page sweep).
/// </summary>
internal sealed class TagEvictionBenchmark : IAsyncDisposable
{
    public const string IdleScenario = "idle reader (no eviction)";
    public const string ReferenceScenario = "reference: unchunked one-shot (what chunking avoids)";

    private static readonly int[] PageSizes = [100, 250, 500, 1000];

    // Long enough for the reader to settle before the eviction and to catch replies delayed past its end.
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(200);

    private const string ProbeKey = "probe";

    // No InstanceName: entries sit at their keys, tag sets and indexes under "#rae:".
    private static readonly KeyLayout Layout = new(null);

    private readonly RedisServer _server;
    private readonly ConnectionMultiplexer _control;
    private readonly ConnectionMultiplexer _readerConnection;
    private readonly RedisAutoExpiryCache _cache;
    private readonly RedisStore _store;
    private readonly SlowLog _slowLog;
    private readonly int _members;
    private readonly int _tags;

    private TagEvictionBenchmark(RedisServer server, ConnectionMultiplexer control, ConnectionMultiplexer readerConnection, int members, int tags)
    {
        _server = server;
        _control = control;
        _readerConnection = readerConnection;
        _members = members;
        _tags = tags;

        // Background maintenance off: a sweep or notification cleanup during a run would be measured with it.
        var options = new RedisAutoExpiryCacheOptions { Configuration = server.ConnectionString() };
        options.Tags.ListenForKeyspaceNotifications = false;
        options.Tags.SweepInterval = Timeout.InfiniteTimeSpan;
        _cache = new RedisAutoExpiryCache(options);

        // The page-size sweep drives the eviction script directly, on the control connection, each page doing the
        // whole job (inline), so the sweep's figures are the page's full cost.
        var storeOptions = new RedisAutoExpiryCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(control),
        };
        _store = new RedisStore(new RedisConnection(storeOptions, NullLogger.Instance), Layout, storeOptions.Resilience, new RedisAutoExpiry.Diagnostics.CacheMetrics(null, null), NullLogger.Instance);

        _slowLog = new SlowLog(Admin, new Dictionary<string, string>
        {
            ["EvictPage"] = TagScripts.EvictPage,
            ["Forget"] = TagScripts.Forget,
            ["LeaveTagSets"] = TagScripts.LeaveTagSets,
            ["reference one-shot"] = UnchunkedReferenceEviction.Script,
        });
    }

    private IServer Admin => _control.GetServer(_server.Endpoint);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Report.Statistics.IntOption(args, "--runs", 5);
        var members = Report.Statistics.IntOption(args, "--members", 100_000);
        var tags = Report.Statistics.IntOption(args, "--tags", 2);
        var libraryOnly = args.Contains("--library-only");

        Console.WriteLine($"Tag eviction: {members:N0} members with {tags} tags each, {runs} runs, page sizes {string.Join("/", PageSizes)}, " +
                          $"production PageSize {Tagging.TagEviction.PageSize}");
        await using var benchmark = await StartAsync(members, tags);
        var results = new List<ScenarioResult>();
        for (var run = 1; run <= runs; run++)
        {
            var library = await benchmark.MeasureEvictionAsync(run, $"EvictByTagAsync (PageSize {Tagging.TagEviction.PageSize})",
                () => benchmark._cache.EvictByTagAsync(TaggedPopulation.EvictedTag), expectedKeysLeft: 1);
            Add(library);

            // The idle reader watches for as long as the eviction and its cleanup took, so both windows hold as many reads.
            Add(await benchmark.MeasureIdleAsync(run, TimeSpan.FromMilliseconds(library.CleanMilliseconds ?? library.WallMilliseconds)));

            if (libraryOnly)
            {
                continue;
            }

            // The reference leaves the group tag sets behind (see UnchunkedReferenceEviction).
            Add(await benchmark.MeasureEvictionAsync(run, ReferenceScenario, benchmark.EvictUnchunkedAsync,
                expectedKeysLeft: 1 + TaggedPopulation.Groups));

            foreach (var pageSize in PageSizes)
            {
                Add(await benchmark.MeasureEvictionAsync(run, $"EvictPage loop, page {pageSize}",
                    () => benchmark.EvictPagesAsync(pageSize), expectedKeysLeft: 1));
            }
        }

        Console.WriteLine();
        ResultTable.WriteMedians(Console.Out, results);
        await Report.ResultFile.WriteAsync(args, results);
        return 0;

        void Add(ScenarioResult result)
        {
            results.Add(result);
            Console.WriteLine(ResultTable.Line(result));
        }
    }

    private static async Task<TagEvictionBenchmark> StartAsync(int members, int tags)
    {
        var server = await RedisServer.StartAsync("default.conf");
        try
        {
            var control = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString());
            var reader = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString());
            return new TagEvictionBenchmark(server, control, reader, members, tags);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task<ScenarioResult> MeasureEvictionAsync(int run, string scenario, Func<Task<long>> evict, int expectedKeysLeft)
    {
        await PrepareAsync();
        await TaggedPopulation.FillAsync(_cache, _members, _tags);
        var database = _control.GetDatabase();
        var written = await database.SetLengthAsync(Layout.TagSet(TaggedPopulation.EvictedTag));
        if (written != _members)
        {
            throw new InvalidOperationException($"Population wrote {written} members, not {_members}.");
        }

        var result = await MeasureWithReaderAsync(run, scenario, evict);
        await VerifyAsync(scenario, result.Removed, expectedKeysLeft);
        return result;
    }

    private async Task<ScenarioResult> MeasureIdleAsync(int run, TimeSpan duration)
    {
        await PrepareAsync();
        return await MeasureWithReaderAsync(run, IdleScenario, async () =>
        {
            await Task.Delay(duration);
            return 0;
        });
    }

    // Runs the reader from Margin before the work to Margin after the tag sets are clean, and reads SLOWLOG then, so
    // the cleanup an eviction leaves to the background (ForgetQueue) is measured with it and nothing done later (the
    // verification) is. The wall time is until the work returns: every entry is gone by then.
    private async Task<ScenarioResult> MeasureWithReaderAsync(int run, string scenario, Func<Task<long>> work)
    {
        // Leftovers of the population must not be collected while the reader measures.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        await _slowLog.ResetAsync();

        var reader = new FixedScheduleReader(_readerConnection.GetDatabase(), ProbeKey);
        reader.Start();
        await Task.Delay(Margin);
        var collectedBefore = CollectionSummary.Now();
        var serverCpuBefore = await RedisServerCpu.SecondsAsync(Admin);
        var from = Stopwatch.GetTimestamp();
        var removed = await work();
        var to = Stopwatch.GetTimestamp();
        var serverCpu = await RedisServerCpu.SecondsAsync(Admin) - serverCpuBefore;
        while (_cache.ForgetQueue.Pending > 0)
        {
            await Task.Delay(1);
        }

        var clean = Stopwatch.GetTimestamp();
        var collections = CollectionSummary.Now().Since(collectedBefore);
        var slowLog = await _slowLog.ReadAsync();
        await Task.Delay(Margin);
        await reader.StopAsync();
        return new ScenarioResult(run, scenario, Stopwatch.GetElapsedTime(from, to).TotalMilliseconds, removed, slowLog,
            reader.Summarize(from, clean), Stopwatch.GetElapsedTime(from, clean).TotalMilliseconds, collections, serverCpu * 1000);
    }

    // Every run starts from an empty server holding only the reader's key. FLUSHALL SYNC: a flush freed in the
    // background (Valkey 8's default) would compete with the run for the server's CPU.
    private async Task PrepareAsync()
    {
        await _control.GetDatabase().ExecuteAsync("FLUSHALL", "SYNC");
        await _control.GetDatabase().StringSetAsync(ProbeKey, new byte[TaggedPopulation.ValueSize]);
    }

    private async Task VerifyAsync(string scenario, long removed, int expectedKeysLeft)
    {
        // SCAN; the database is down to a handful of keys by now.
        var entriesLeft = Admin.Keys(pattern: TaggedPopulation.KeyPrefix + "*", pageSize: 1000).Count();
        var keysLeft = await Admin.DatabaseSizeAsync();
        if (removed != _members || entriesLeft != 0 || keysLeft != expectedKeysLeft)
        {
            throw new InvalidOperationException($"{scenario}: returned {removed} (expected {_members}), {entriesLeft} entries left, " +
                                                $"{keysLeft} keys in the database (expected {expectedKeysLeft}).");
        }
    }

    private async Task<long> EvictPagesAsync(int pageSize)
    {
        long removed = 0;
        var cursor = "0";
        do
        {
            var page = await _store.EvictPageAsync(TaggedPopulation.EvictedTag, cursor, pageSize, deferred: false, CancellationToken.None);
            cursor = page.Cursor;
            removed += page.Count;
        }
        while (cursor != "0");

        return removed;
    }

    private Task<long> EvictUnchunkedAsync() =>
        UnchunkedReferenceEviction.EvictAsync(_control.GetDatabase(), Layout.TagSet(TaggedPopulation.EvictedTag),
            Layout.Prefix, Layout.EntryTagsPrefix);

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await _cache.DisposeAsync();
        _readerConnection.Dispose();
        _control.Dispose();
        await _server.DisposeAsync();
    }
}
