using RedisAutoExpiry.Entries;

namespace RedisAutoExpiry.Tests.Entries;

public sealed class EntryHeaderTests
{
    [Theory]
    [InlineData(0, false, 0, 2, -1)]
    [InlineData(1500, false, 0, 10, -1)]
    [InlineData(1500, true, 1_800_000_000_123, 18, 10)]
    public void WriteThenRead_GivesBackTheSameHeader(long sliding, bool hasCap, long cap, int length, int capOffset)
    {
        var header = new EntryHeader(sliding, hasCap, cap);
        var bytes = new byte[header.Length + 3];
        header.WriteTo(bytes);

        Assert.Equal(length, header.Length);
        Assert.Equal(capOffset, header.CapOffset);
        Assert.True(EntryHeader.TryRead(bytes, out var read));
        Assert.Equal(sliding, read.SlidingMilliseconds);
        Assert.Equal(hasCap, read.HasCap);
        Assert.Equal(hasCap ? cap : 0, read.CapUnixMilliseconds);
    }

    public static TheoryData<byte[]> ForeignValues => new()
    {
        Array.Empty<byte>(),
        new byte[] { 0xAE },
        "hello"u8.ToArray(),
        new byte[] { 0xAF, 0x10 },                          // another marker
        new byte[] { 0xAE, 0x20 },                          // a future format version
        new byte[] { 0xAE, 0x18 },                          // an unknown flag
        new byte[] { 0xAE, 0x12, 0, 0, 0, 0, 0, 0, 0, 0 },  // a cap without sliding
        new byte[] { 0xAE, 0x16, 0, 0, 0, 0, 0, 0, 0, 0 },  // a cap without sliding, protected
        new byte[] { 0xAE, 0x11, 1, 2, 3 },                 // sliding window cut short
        new byte[] { 0xAE, 0x11, 0, 0, 0, 0, 0, 0, 0, 0 },  // a zero sliding window
        new byte[] { 0xAE, 0x13, 1, 0, 0, 0, 0, 0, 0, 0, 5 }, // cap cut short
        new byte[] { 0xAE, 0x11, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }, // a window no TimeSpan can hold
        new byte[] { 0xAE, 0x13, 1, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }, // a cap past year 9999
    };

    [Theory]
    [MemberData(nameof(ForeignValues))]
    public void TryRead_RejectsBytesNotWrittenByThisFormat(byte[] stored)
    {
        Assert.False(EntryHeader.TryRead(stored, out _));
    }

    [Fact]
    public void TheProtectedFlag_RoundTrips_WithSlidingAndCap()
    {
        var header = new EntryHeader(1500, hasCap: true, 1_800_000_000_123, isProtected: true);
        var bytes = new byte[header.Length];
        header.WriteTo(bytes);

        Assert.Equal(0x17, bytes[1]);
        Assert.True(EntryHeader.TryRead(bytes, out var read));
        Assert.True(read.IsProtected);
        Assert.Equal((1500L, true, 1_800_000_000_123L), (read.SlidingMilliseconds, read.HasCap, read.CapUnixMilliseconds));
    }
}
