using Microsoft.AspNetCore.Routing;
using RedisAutoExpiry.OutputCaching;

namespace RedisAutoExpiry.Tests.OutputCaching;

public sealed class TagTemplateTests
{
    [Theory]
    [InlineData("products", "products")]
    [InlineData("product:{id}", "product:42")]
    [InlineData("{kind}/{id}", "book/42")]
    [InlineData("literal:{{id}}", "literal:{id}")]
    [InlineData("{{{id}}}", "{42}")]
    public void Render_FillsPlaceholdersFromRouteValues(string template, string expected)
    {
        var values = new RouteValueDictionary { ["id"] = 42, ["kind"] = "book" };

        Assert.True(TagTemplate.Parse(template).TryRender(values, out var tag, out _));
        Assert.Equal(expected, tag);
    }

    [Fact]
    public void Render_WithAMissingOrEmptyRouteValue_NamesIt_AndFails()
    {
        var template = TagTemplate.Parse("product:{id}");

        Assert.False(template.TryRender(new RouteValueDictionary(), out _, out var missing));
        Assert.Equal("id", missing);
        Assert.False(template.TryRender(new RouteValueDictionary { ["id"] = "" }, out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("product:{id")]
    [InlineData("product:{}")]
    [InlineData("product:id}")]
    [InlineData("product:{a{b}")]
    public void Parse_RefusesMalformedTemplates(string template) =>
        Assert.Throws<ArgumentException>(() => TagTemplate.Parse(template));
}
