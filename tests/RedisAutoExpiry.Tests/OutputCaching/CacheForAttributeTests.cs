using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RedisAutoExpiry.Tests.OutputCaching;

public sealed class CacheForAttributeTests
{
    [Fact]
    public void NegativeSeconds_AreRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheForAttribute(-1));

    [Fact]
    public void ClientDuration_MayNotOutliveTheServersCopy()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheForAttribute(10) { ClientDuration = 11 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheForAttribute(10) { ClientDuration = -1 });
        Assert.Equal(10, new CacheForAttribute(10) { ClientDuration = 10 }.ClientDuration);
    }

    [Theory]
    [InlineData(199)]
    [InlineData(206)]
    [InlineData(304)]
    [InlineData(600)]
    public void CacheableStatusCodes_RefusePartialConditionalAndInvalidStatuses(int status) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheForAttribute(10) { CacheableStatusCodes = [200, status] });

    [Fact]
    public void AMalformedTagTemplate_IsRefusedWhereItIsDeclared() =>
        Assert.Throws<ArgumentException>(() => new CacheForAttribute(10) { Tags = ["product:{id"] });

    [Fact]
    public void MinimalApiForm_AddsTheConfiguredDeclarationAsEndpointMetadata()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();

        app.MapGet("/x/{id}", () => "x").CacheFor(30, d => d.Tags = ["x:{id}"]);

        var endpoint = Assert.Single(((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints));
        var declaration = endpoint.Metadata.GetMetadata<CacheForAttribute>();
        Assert.NotNull(declaration);
        Assert.Equal(30, declaration.Seconds);
        Assert.Equal(["x:{id}"], declaration.Tags);
        Assert.Throws<ArgumentException>(() => app.MapGet("/y", () => "y").CacheFor(30, d => d.Tags = ["{"]));
    }
}
