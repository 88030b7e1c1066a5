using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// P3's baseline, shared by <see cref="SetWithTagsBenchmarks"/> and the side-by-side verb: the raw commands a Set with
/// tags needs at the least, SET with expiry and one SADD per tag, sent together and awaited together.
/// </summary>
internal static class TaggedSetBaseline
{
    public static readonly string[] Tags = ["products", "category:7", "supplier:42"];

    public static readonly TimeSpan Expiry = TimeSpan.FromHours(1);

    /// <summary>The raw tag sets, under a prefix of the caller's so they never meet the cache's.</summary>
    public static RedisKey[] TagSets(string prefix) => Tags.Select(tag => (RedisKey)(prefix + tag)).ToArray();

    public static Task SendAsync(IDatabase database, RedisKey entry, string member, byte[] value, RedisKey[] tagSets) =>
        Task.WhenAll(
            database.StringSetAsync(entry, value, Expiry),
            database.SetAddAsync(tagSets[0], member),
            database.SetAddAsync(tagSets[1], member),
            database.SetAddAsync(tagSets[2], member));
}
