using RedisAutoExpiry.Tagging;

namespace RedisAutoExpiry.Tests.Tagging;

public sealed class KeyspaceEventFlagsTests
{
    [Theory]
    [InlineData("", "Exe")]
    [InlineData("Kl", "Exe")]
    [InlineData("Ex", "e")]
    [InlineData("KEA", "")]
    [InlineData("AK", "E")]
    [InlineData("Egxe", "")]
    [InlineData("xe", "E")]
    public void Missing_NamesOnlyTheFlagsNotAlreadySet(string current, string missing) =>
        Assert.Equal(missing, KeyspaceEventFlags.Missing(current));

    [Theory]
    [InlineData("noeviction", true)]
    [InlineData("volatile-lru", true)]
    [InlineData("volatile-ttl", true)]
    [InlineData("allkeys-lru", false)]
    [InlineData("allkeys-random", false)]
    public void OnlyAllkeysPolicies_CanEvictTagSets(string policy, bool safe) =>
        Assert.Equal(safe, EvictionPolicy.KeepsTagSets(policy));
}
