using System.Diagnostics;
using System.Runtime.CompilerServices;
using RedisAutoExpiry.Testing;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>
/// Gives each test caches on the shared real Redis, keyed by the test's class and method name so tests running in
/// parallel never touch each other's keys, and an independent connection to inspect what Redis holds.
/// </summary>
public abstract class RedisTestBase : IAsyncLifetime
{
    private static readonly Lazy<Task<ConnectionMultiplexer>> SharedInspector = new(async () =>
        await ConnectionMultiplexer.ConnectAsync((await RedisServer.Shared).ConnectionString()));

    private readonly List<IAsyncDisposable> _owned = [];

    protected RedisServer Server { get; private set; } = null!;

    /// <summary>What the test's caches logged; failure messages quote it.</summary>
    protected CapturingLogger CacheLog { get; } = new();

    /// <summary>A connection of the test's own, not the cache's, for reading TTLs and raw values.</summary>
    protected IDatabase Inspector { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Server = await RedisServer.Shared;
        Inspector = (await SharedInspector.Value).GetDatabase();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }

    protected T Own<T>(T disposable) where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>The key prefix (InstanceName) of this test; <paramref name="variant"/> separates theory cases.</summary>
    protected string Prefix(string variant = "", [CallerMemberName] string test = "") => $"{GetType().Name}.{test}{variant}:";

    protected RedisAutoExpiryCache CreateCache(Action<RedisAutoExpiryCacheOptions>? configure = null, string variant = "", [CallerMemberName] string test = "")
    {
        var options = new RedisAutoExpiryCacheOptions
        {
            Configuration = Server.ConnectionString(),
            InstanceName = Prefix(variant, test),
        };
        Relax(options);
        configure?.Invoke(options);
        return Own(new RedisAutoExpiryCache(options, CacheLog));
    }

    /// <summary>
    /// A cache on a server of the test's own (a dedicated config), logging to <paramref name="logger"/>. The test
    /// disposes it (<c>await using</c>, declared after the server) so it goes before its server does.
    /// </summary>
    protected RedisAutoExpiryCache CreateCacheOn(RedisServer server, Action<RedisAutoExpiryCacheOptions>? configure = null,
        CapturingLogger? logger = null, string connectionOptions = "", [CallerMemberName] string test = "")
    {
        var options = new RedisAutoExpiryCacheOptions
        {
            Configuration = server.ConnectionString(connectionOptions),
            InstanceName = Prefix(string.Empty, test),
        };
        Relax(options);
        configure?.Invoke(options);
        return new RedisAutoExpiryCache(options, logger ?? new CapturingLogger());
    }

    /// <summary>
    /// Options for tests that count commands with MONITOR: no listener and no sweep, whose scripts name the test's
    /// prefix too and would land in the count.
    /// </summary>
    protected static void WithoutTagMaintenance(RedisAutoExpiryCacheOptions options)
    {
        options.Tags.ListenForKeyspaceNotifications = false;
        options.Tags.SweepInterval = Timeout.InfiniteTimeSpan;
    }

    /// <summary>
    /// The suite's bound on a call: the shared server is loaded by every test at once (multi-megabyte values, large
    /// evictions), where a round trip can exceed the 1 s default. Tests of the bounds themselves set their own.
    /// </summary>
    public static readonly TimeSpan TestOperationTimeout = TimeSpan.FromSeconds(5);

    private static void Relax(RedisAutoExpiryCacheOptions options) => options.Resilience.OperationTimeout = TestOperationTimeout;

    /// <summary>The user keys in a tag's Redis set.</summary>
    protected async Task<string[]> TagMembersAsync(string tag, [CallerMemberName] string test = "") =>
        (await Inspector.SetMembersAsync(Prefix(string.Empty, test) + "#rae:tag:" + tag)).Select(m => (string)m!).Order().ToArray();

    /// <summary>A cache that has already connected, for tests whose clocks must not include the first connect.</summary>
    protected async Task<RedisAutoExpiryCache> CreateConnectedCacheAsync(Action<RedisAutoExpiryCacheOptions>? configure = null, string variant = "", [CallerMemberName] string test = "")
    {
        var cache = CreateCache(configure, variant, test);
        await cache.GetAsync("connect");
        return cache;
    }

    /// <summary>Remaining TTL in milliseconds as Redis reports it (PTTL): -1 none, -2 no key.</summary>
    protected async Task<long> PttlAsync(string redisKey) => (long)await Inspector.ExecuteAsync("PTTL", redisKey);

    /// <summary>
    /// Runs <paramref name="write"/> and asserts the TTL Redis then gives <paramref name="redisKey"/>: at most
    /// <paramref name="ttlMs"/> (plus <paramref name="roundUp"/>), and at least what remains of it after the time the
    /// write and the PTTL took, so a stall of the machine cannot fail the test while a wrong TTL still does. A stall
    /// that outlasts the TTL measures nothing, so the write is tried again (three times at most). Returns a clock
    /// started just before the write that was measured.
    /// </summary>
    protected async Task<Stopwatch> AssertTtlOfWriteAsync(Func<Task> write, string redisKey, long ttlMs, long roundUp = 0)
    {
        for (var attempt = 1; ; attempt++)
        {
            var clock = Stopwatch.StartNew();
            await write();
            var pttl = await PttlAsync(redisKey);
            var elapsed = clock.ElapsedMilliseconds;
            if (elapsed < ttlMs)
            {
                Assert.InRange(pttl, ttlMs - elapsed - 1, ttlMs + roundUp);
                return clock;
            }

            Assert.True(attempt < 3, $"the machine stalled past the TTL of {ttlMs} ms three times (last: {elapsed} ms)");
        }
    }

    protected static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes; no fixed sleeps.</summary>
    protected static Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        EventuallyAsync(condition, timeout, () => what);

    /// <summary>As above, with a message read when the deadline passes (so it can name the last value seen).</summary>
    protected static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Within {timeout.TotalMilliseconds} ms: {what()}");
            }

            await Task.Delay(20);
        }
    }
}
