using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tests.Redis;

/// <summary>Which Gets read a sliding entry in one script: pure logic of the table of keys known to slide.</summary>
public sealed class SlidingReadsTests
{
    [Fact]
    public void Begin_OfAKeyNeverSeenSliding_IsAPlainRead()
    {
        var reads = new SlidingReads();

        var read = reads.Begin("key");

        Assert.False(read.Known);
        Assert.False(read.Extends);
    }

    [Fact]
    public void Begin_OfAKeySeenSliding_ExtendsOnlyWhileNoOtherGetOfItIsInFlight()
    {
        var reads = new SlidingReads();
        reads.Learn("key");

        var first = reads.Begin("key");
        var second = reads.Begin("key");
        Assert.True(first.Known);
        Assert.True(first.Extends);
        Assert.True(second.Known);
        Assert.False(second.Extends);

        reads.End(first);
        reads.End(second);
        Assert.True(reads.Begin("key").Extends);
    }

    [Fact]
    public void Forget_MakesTheKeysNextGetsPlain()
    {
        var reads = new SlidingReads();
        reads.Learn("key");
        var read = reads.Begin("key");
        reads.End(read);

        reads.Forget(read);

        Assert.False(reads.Begin("key").Known);
    }

    [Fact]
    public void Forget_OfAPlainRead_ChangesNothing()
    {
        var reads = new SlidingReads();
        var plain = reads.Begin("key");
        reads.Learn("key");

        reads.Forget(plain);

        Assert.True(reads.Begin("key").Extends);
    }
}
