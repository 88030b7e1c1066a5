using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RedisAutoExpiry.OutputCaching;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Safety;

/// <summary>ProtectPayloads: values are Data Protection ciphertext in Redis, and anything else there is a miss.</summary>
public sealed class PayloadProtectionTests : RedisTestBase
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("card 4111-1111-1111-1111, balance 1234.56");
    private readonly EphemeralDataProtectionProvider _keys = new(NullLoggerFactory.Instance);

    [Fact]
    public async Task EveryReadPath_ReturnsTheValue_WhileRedisHoldsOnlyCiphertext()
    {
        var cache = Protected();
        await cache.SetAsync("account", Secret, OneMinute);
        await cache.SetAsync("sliding", Secret, new() { SlidingExpiration = TimeSpan.FromMinutes(1) });
        var pages = new RedisAutoExpiryOutputCacheStore(cache);
        await pages.SetAsync("GET/account", Secret, ["accounts"], TimeSpan.FromMinutes(1), default);

        Assert.Equal(Secret, await cache.GetAsync("account"));
        Assert.Equal(Secret, cache.Get("sliding"));
        Assert.Equal(Secret, (await cache.GetWithTimeToLiveAsync("sliding"))?.Value);
        var buffer = new ArrayBufferWriter<byte>();
        Assert.True(await cache.TryGetAsync("account", buffer));
        Assert.Equal(Secret, buffer.WrittenSpan.ToArray());
        Assert.Equal(Secret, await pages.GetAsync("GET/account", default));

        foreach (var key in new[] { "account", "sliding", "#rae:out:GET/account" })
        {
            var raw = (byte[])(await Inspector.StringGetAsync(Prefix() + key))!;
            Assert.Equal(-1, raw.AsSpan().IndexOf(Secret.AsSpan(0, 8)));
        }

    }

    [Fact]
    public async Task AProtectedSlidingEntry_IsStillExtended_ByRefreshGetAndGetWithTimeToLive()
    {
        // The refresh script reads the header, whose protected flag it must accept: each way of extending is checked
        // from a TTL cut to 5 s, so only an extension brings it back near the 60 s window.
        var cache = Protected();
        await cache.SetAsync("sliding", Secret, new() { SlidingExpiration = TimeSpan.FromMinutes(1) });
        var key = Prefix() + "sliding";

        await Inspector.KeyExpireAsync(key, TimeSpan.FromSeconds(5));
        await cache.RefreshAsync("sliding");
        Assert.InRange(await PttlAsync(key), 50_000, 60_000);

        await Inspector.KeyExpireAsync(key, TimeSpan.FromSeconds(5));
        Assert.Equal(Secret, await cache.GetAsync("sliding")); // the refresh is sent after the reply
        await EventuallyAsync(async () => await PttlAsync(key) > 50_000, TimeSpan.FromSeconds(5), "the Get's refresh extends it");

        await Inspector.KeyExpireAsync(key, TimeSpan.FromSeconds(5));
        Assert.InRange((await cache.GetWithTimeToLiveAsync("sliding"))!.Value.TimeToLive!.Value.TotalMilliseconds, 50_000, 60_000);
    }

    [Fact]
    public async Task AValueAlteredInRedis_IsAMiss_WithOneLogLine()
    {
        var cache = Protected();
        await cache.SetAsync("account", Secret, OneMinute);
        var raw = (byte[])(await Inspector.StringGetAsync(Prefix() + "account"))!;
        raw[^1] ^= 0x01;
        await Inspector.StringSetAsync(Prefix() + "account", raw);

        Assert.Null(await cache.GetAsync("account"));

        Assert.Contains("Data Protection refused it", Assert.Single(CacheLog.MessagesOf(28)));
    }

    [Fact]
    public async Task ProtectedAndUnprotectedEntries_AreMissesToEachOther()
    {
        var plain = CreateCache(variant: "");
        var protectedCache = Protected();
        await plain.SetAsync("planted", Secret, OneMinute); // as if someone with Redis access wrote it
        await protectedCache.SetAsync("sealed", Secret, OneMinute);

        Assert.Null(await protectedCache.GetAsync("planted"));
        Assert.Null(await plain.GetAsync("sealed"));

        Assert.Equal(2, CacheLog.MessagesOf(28).Count);
    }

    [Fact]
    public async Task CiphertextCopiedToAnotherInstance_DoesNotOpen()
    {
        var shop = Protected(instance: Prefix() + "shop:");
        var blog = Protected(instance: Prefix() + "blog:");
        await shop.SetAsync("key", Secret, OneMinute);
        await Inspector.StringSetAsync(Prefix() + "blog:key", await Inspector.StringGetAsync(Prefix() + "shop:key"));

        Assert.Null(await blog.GetAsync("key"));
        Assert.Equal(Secret, await shop.GetAsync("key"));
    }

    [Fact]
    public void ProtectPayloads_WithoutDataProtection_SaysWhatToAdd()
    {
        var options = Options.Create(new RedisAutoExpiryCacheOptions { Configuration = Server.ConnectionString(), ProtectPayloads = true });

        var failure = Assert.Throws<InvalidOperationException>(() => new RedisAutoExpiryCache(options, NullLogger<RedisAutoExpiryCache>.Instance));

        Assert.Contains("AddDataProtection()", failure.Message);
    }

    [Fact]
    public async Task UnderDependencyInjection_TheAppsDataProtectionIsUsed()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddRedisAutoExpiryCache(o =>
        {
            o.Configuration = Server.ConnectionString();
            o.InstanceName = Prefix();
            o.ProtectPayloads = true;
        });
        await using var provider = services.BuildServiceProvider();
        var cache = provider.GetRequiredService<IDistributedCache>();

        await cache.SetAsync("account", Secret, OneMinute);

        Assert.Equal(Secret, await cache.GetAsync("account"));
        var raw = (byte[])(await Inspector.StringGetAsync(Prefix() + "account"))!;
        Assert.Equal(-1, raw.AsSpan().IndexOf(Secret.AsSpan(0, 8)));
    }

    private RedisAutoExpiryCache Protected(string? instance = null, [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var options = new RedisAutoExpiryCacheOptions
        {
            Configuration = Server.ConnectionString(),
            InstanceName = instance ?? Prefix(string.Empty, test),
            ProtectPayloads = true,
            Resilience = { OperationTimeout = TestOperationTimeout, OutputCacheTimeout = TestOperationTimeout },
        };
        return Own(new RedisAutoExpiryCache(Options.Create(options), CacheLog, null, _keys));
    }
}
