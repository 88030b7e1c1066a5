using RedisAutoExpiry.Tagging;
using RedisAutoExpiry.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Tagging;

/// <summary>
/// The client packs an entry's tag index itself; the write script compares it with the stored one as bytes, so it
/// must be exactly what Redis's cmsgpack.pack makes of the same tags, for every MessagePack header size.
/// </summary>
public sealed class TagIndexTests : RedisTestBase
{
    public static TheoryData<int, int> Shapes => new()
    {
        { 1, 0 },       // fixarray of one empty fixstr
        { 3, 31 },      // fixstr at its largest
        { 15, 32 },     // fixarray at its largest; str 8 at its smallest
        { 16, 255 },    // array 16; str 8 at its largest
        { 2, 256 },     // str 16
        { 1, 70_000 },  // str 32
        { 70_000, 3 },  // array 32
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Pack_IsByteForByteWhatCmsgpackMakesOfTheSameTags(int count, int length)
    {
        var tags = Enumerable.Range(0, count).Select(i => i.ToString().PadRight(length, 'x')[..length]).ToArray(); // ASCII: length in bytes

        var fromRedis = (byte[])(await Inspector.ScriptEvaluateAsync("return cmsgpack.pack(ARGV)", [], tags.Select(t => (RedisValue)t).ToArray()))!;

        Assert.Equal(fromRedis, TagIndex.Pack(tags));
    }

    [Fact]
    public async Task WhatItPacks_UnpacksInRedis_ToTheSameTags()
    {
        string[] tags = ["products", "category:7", "名前", "a b*?[]"];

        var unpacked = (RedisValue[])(await Inspector.ScriptEvaluateAsync("return cmsgpack.unpack(ARGV[1])", [], [TagIndex.Pack(tags)]))!;

        Assert.Equal(tags, unpacked.Select(t => (string)t!));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Unpack_ReadsBack_WhatPackWrote(int count, int length)
    {
        var tags = Enumerable.Range(0, count).Select(i => i.ToString().PadRight(length, 'é')[..length]).ToArray();

        Assert.Equal(tags, TagIndex.Unpack(TagIndex.Pack(tags)));
    }

    [Fact]
    public void Unpack_OfBytesThatAreNotAnIndex_ThrowsFormatException()
    {
        var packed = TagIndex.Pack(["products", "category:7"]);

        Assert.Throws<FormatException>(() => TagIndex.Unpack(packed.AsSpan(0, packed.Length - 1))); // ends inside a tag
        Assert.Throws<FormatException>(() => TagIndex.Unpack(packed.AsSpan(0, 1)));                   // ends before a header
        Assert.Throws<FormatException>(() => TagIndex.Unpack([0x91, 0x01]));                           // an integer, not a string
        Assert.Throws<FormatException>(() => TagIndex.Unpack([]));
        Assert.Throws<FormatException>(() => TagIndex.Unpack([0xdd, 0x7f, 0xff, 0xff, 0xff]));                    // 2 billion tags in 5 bytes
        Assert.Throws<FormatException>(() => TagIndex.Unpack([0x91, 0xdb, 0xff, 0xff, 0xff, 0xff, 0x61]));        // a tag of 4 GB
    }
}
