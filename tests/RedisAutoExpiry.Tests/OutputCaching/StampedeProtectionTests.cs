using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RedisAutoExpiry.TestWebApp;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.OutputCaching;

/// <summary>
/// Concurrent misses for one response render it once across every instance on the same Redis (the lease), where the
/// middleware alone renders it once per instance.
/// </summary>
public sealed class StampedeProtectionTests : OutputCacheTestBase
{
    [Theory]
    [InlineData("00:00:05", 1)]
    [InlineData("00:00:00", 2)] // the lease off: the middleware's per-process locking alone
    public async Task HundredConcurrentMisses_OverTwoInstances_RenderAsOftenAsTheLeaseAllows(string lease, int renders)
    {
        var test = $"{nameof(HundredConcurrentMisses_OverTwoInstances_RenderAsOftenAsTheLeaseAllows)}{renders}";
        var settings = new Dictionary<string, string> { ["RedisAutoExpiry:OutputCacheLease"] = lease };
        await using var first = CreateApp(settings: settings, test: test);
        await using var second = CreateApp(settings: settings, test: test);
        HttpClient[] clients = [first.CreateClient(), second.CreateClient()];

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => GetAsync(clients[i % 2], "/pages/slow?size=10")));

        Assert.All(responses, r => AssertStatus(HttpStatusCode.OK, r));
        Assert.Single(responses.Select(r => r.Content.ReadAsStringAsync().Result).Distinct());
        Assert.Equal(renders, RendersOf(first) + RendersOf(second));
        Assert.Empty(await LeaseKeysAsync(test));
    }

    [Fact]
    public async Task ResponseThatIsNotStored_EndsTheLeaseAtOnce_SoWaitersRenderWithoutWaitingItOut()
    {
        var settings = new Dictionary<string, string> { ["RedisAutoExpiry:OutputCacheLease"] = "00:00:20" };
        await using var first = CreateApp(settings: settings);
        await using var second = CreateApp(settings: settings);
        HttpClient[] clients = [first.CreateClient(), second.CreateClient()];
        var clock = Stopwatch.StartNew();

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => GetAsync(clients[i % 2], "/pages/slow-missing")));

        Assert.All(responses, r => AssertStatus(HttpStatusCode.NotFound, r));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"waiters stalled: {clock.Elapsed}");
        Assert.Empty(await LeaseKeysAsync());
        Assert.Empty(await StoredResponseKeysAsync());
    }

    [Fact]
    public async Task Waiter_WhoseLeaseHolderNeverStores_RendersOnceTheLeaseRunsOut()
    {
        await using var app = CreateApp();
        var client = app.CreateClient();
        await GetAsync(client, "/pages/plain"); // learns the response's key
        var key = Assert.Single(await StoredResponseKeysAsync());
        await Inspector.KeyDeleteAsync(key);

        // Another instance holds the lease for 2 s and dies without storing or releasing it. The waiter renders once
        // the lease is gone, well before its own 5 s deadline. (A stall of over 2 s here would let it render at once;
        // the test still passes then, having proved nothing, and fails whenever the waiter does not wait.)
        var entryKey = key[Prefix().Length..];
        var sinceLease = Stopwatch.StartNew();
        await Inspector.StringSetAsync(Prefix() + "#rae:lease:" + entryKey, "gone", TimeSpan.FromMilliseconds(2_000));
        var response = await GetAsync(client, "/pages/plain");

        AssertStatus(HttpStatusCode.OK, response);
        Assert.InRange(sinceLease.ElapsedMilliseconds, 1_900, 4_500);
        Assert.Equal(2, RendersOf(app));
    }

    [Fact]
    public async Task Waiter_IsServedTheResponseAnotherInstanceStores_AsSoonAsItLands()
    {
        var settings = new Dictionary<string, string> { ["RedisAutoExpiry:OutputCacheLease"] = "00:00:20" };
        await using var first = CreateApp(settings: settings);
        await using var second = CreateApp(settings: settings);
        var firstClient = first.CreateClient();
        var secondClient = second.CreateClient();
        await GetAsync(secondClient, "/products/live"); // started and warm, so the clock below times only the wait

        var leader = GetAsync(firstClient, "/pages/slow?size=3");
        await EventuallyAsync(async () => (await LeaseKeysAsync()).Length == 1, TimeSpan.FromSeconds(5), "the first instance takes the lease");
        var clock = Stopwatch.StartNew();
        var waiter = await GetAsync(secondClient, "/pages/slow?size=3");

        Assert.Equal(Render(await leader), Render(waiter));
        Assert.Equal(1, RendersOf(second)); // /products/live only
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the waiter took {clock.Elapsed}");
    }

    private static long RendersOf(TestAppFactory app) => app.Services.GetRequiredService<RenderCounter>().Renders;

    private async Task<string[]> LeaseKeysAsync([System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        ((StackExchange.Redis.RedisResult[])(await Inspector.ExecuteAsync("KEYS", Prefix(string.Empty, test) + "#rae:lease:*"))!)
            .Select(k => (string)k!).ToArray();
}
