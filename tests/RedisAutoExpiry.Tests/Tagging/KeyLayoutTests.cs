using RedisAutoExpiry.Tagging;

namespace RedisAutoExpiry.Tests.Tagging;

public sealed class KeyLayoutTests
{
    [Fact]
    public void TheCachesOwnKeys_NeverCollideWithEachOther()
    {
        var layout = new KeyLayout("app:");

        Assert.Equal("app:k", layout.Entry("k"));
        Assert.Equal("app:#rae:tag:t", layout.TagSet("t"));
        Assert.Equal("app:#rae:entry-tags:k", layout.EntryTags("k"));
        Assert.NotEqual(layout.TagSet("x"), layout.EntryTags("x"));
        Assert.False(layout.TagSet("s:x").StartsWith(layout.EntryTagsPrefix, StringComparison.Ordinal));
        Assert.Equal("app:#rae:out:k", layout.Entry(KeyLayout.OutputEntry("k")));
        Assert.False(layout.Entry(KeyLayout.OutputEntry("tag:x")).StartsWith(layout.TagSetPrefix, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("app:k", "k")]
    [InlineData("app:#rae:tag:t", null)]
    [InlineData("app:#rae:entry-tags:k", null)]
    [InlineData("app:#rae:sweep-lock", null)]
    [InlineData("app:#rae:out:GET\u001eHTTP", "#rae:out:GET\u001eHTTP")]
    [InlineData("other:k", null)]
    [InlineData("app:", "")]
    public void UserKeyOf_RecognisesOnlyThisCachesEntries(string redisKey, string? userKey) =>
        Assert.Equal(userKey, new KeyLayout("app:").UserKeyOf(redisKey));

    [Fact]
    public void GlobCharactersInTheInstanceName_AreEscapedInTheScanPattern() =>
        Assert.Equal(@"a\*b\?\[c\]\\:#rae:tag:*", new KeyLayout(@"a*b?[c]\:").TagSetPattern);
}
