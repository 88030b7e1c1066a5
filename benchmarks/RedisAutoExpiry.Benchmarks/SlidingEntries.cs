using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// The sliding 1 KiB entry both sliding benchmarks read, twice: in Microsoft's RedisCache layout (a hash with absexp,
/// sldexp and data) for the baseline, and through the cache. The baseline's Get is written here: HMGET, then an
/// awaited EXPIRE by the window it read, two round trips as RedisCache makes them.
/// </summary>
internal static class SlidingEntries
{
    public const string HashKey = "bench:sliding:hash";
    public const string CacheKey = "bench:sliding:cache";
    private static readonly RedisValue[] HashFields = ["absexp", "sldexp", "data"];

    public static void Write(RedisFixture redis)
    {
        var sliding = TimeSpan.FromMinutes(20);
        redis.Database.HashSet(HashKey, [new("absexp", -1), new("sldexp", sliding.Ticks), new("data", new byte[1024])]);
        redis.Database.KeyExpire(HashKey, sliding);
        redis.Cache.Set(CacheKey, new byte[1024], new() { SlidingExpiration = sliding });
    }

    public static async Task TwoRoundTripGetAsync(IDatabase database)
    {
        var values = await database.HashGetAsync(HashKey, HashFields).ConfigureAwait(false);
        await database.KeyExpireAsync(HashKey, TimeSpan.FromTicks((long)values[1])).ConfigureAwait(false);
    }
}
