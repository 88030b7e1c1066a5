using Microsoft.Extensions.Caching.Distributed;
using RedisAutoExpiry.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Tagging;

/// <summary>
/// Redis evicts tagged entries under memory pressure. After one sweep no tag set may hold a key that no longer
/// exists, whatever the policy; with allkeys-* the cache warns, since tag sets themselves may go (docs/tags.md).
/// </summary>
public sealed class MaxmemoryEvictionTests : RedisTestBase
{
    [Theory]
    [InlineData("volatile-lru")]
    [InlineData("allkeys-lru")]
    public async Task AfterRedisEvictsTaggedEntries_OneSweepLeavesNoTagSetHoldingAMissingKey(string policy)
    {
        await using var redis = await DedicatedRedis.StartAsync("tags.conf", "--maxmemory", "3mb", "--maxmemory-policy", policy);
        var logger = new CapturingLogger();
        await using var cache = CreateCacheOn(redis.Server, o => { o.InstanceName = policy + ":"; o.Tags.SweepInterval = Timeout.InfiniteTimeSpan; }, logger);
        var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) };

        var refused = 0;
        for (var i = 0; i < 2000; i++)
        {
            try
            {
                await cache.SetAsync($"entry:{i}", Bytes(4096, i), options, [$"t{i % 10}", $"u{i % 7}"]);
            }
            catch (RedisServerException exception) when (exception.Message.StartsWith("OOM", StringComparison.Ordinal))
            {
                refused++; // Redis may refuse a write it cannot make room for: the caller sees it, nothing half-written
            }
        }

        // Lift the limit before looking: any command, this test's own included, makes Redis evict while it is over
        // the limit, and an entry evicted after the sweep passed it is the listener's job, not the sweep's.
        var server = redis.Multiplexer.GetServer(redis.Server.Endpoint);
        await server.ConfigSetAsync("maxmemory", "0");
        var evicted = await EvictedKeysAsync(server);
        Assert.True(evicted > 100, $"Redis evicted only {evicted} keys; the test needs memory pressure");

        Assert.NotNull(await cache.Maintenance.TrySweepAsync(force: true));

        var tagSets = server.Keys(pattern: policy + ":#rae:tag:*", pageSize: 1000).ToList();
        Assert.NotEmpty(tagSets);
        foreach (var tagSet in tagSets)
        {
            foreach (var member in await redis.Inspector.SetMembersAsync(tagSet))
            {
                Assert.True(await redis.Inspector.KeyExistsAsync(policy + ":" + member), $"{tagSet} holds {member}, which is gone");
            }
        }

        Assert.Equal(evicted, await EvictedKeysAsync(server));
        Assert.Equal(policy.StartsWith("allkeys", StringComparison.Ordinal) ? 1 : 0, logger.MessagesOf(9).Count);
        Assert.True(refused < 2000, "most writes succeed");
    }

    private static async Task<long> EvictedKeysAsync(IServer server) =>
        long.Parse((await server.InfoAsync("stats")).SelectMany(g => g).Single(p => p.Key == "evicted_keys").Value);
}
