using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RedisAutoExpiry.OutputCaching;

namespace RedisAutoExpiry.Tests.OutputCaching;

public sealed class CacheableRequestTests
{
    [Fact]
    public async Task AnAppWithoutAuthenticationSchemes_NeedsNoAuthenticationMiddleware()
    {
        // MVC registers the scheme provider even where nothing authenticates (a generic-host app without UseAuthentication).
        await using var services = new ServiceCollection().AddLogging().AddControllers().Services.BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };

        Assert.NotNull(services.GetService<IAuthenticationSchemeProvider>());
        Assert.True(await CacheableRequest.SecurityRanFirstAsync(context, CacheForServices.Of(context)));
    }

    [Fact]
    public async Task AnAppWithASchemeButNoAuthenticationYet_MustNotCache()
    {
        await using var services = new ServiceCollection().AddLogging()
            .AddAuthentication().AddCookie().Services.BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };

        Assert.False(await CacheableRequest.SecurityRanFirstAsync(context, CacheForServices.Of(context)));
    }

    [Theory]
    [InlineData("/a%1Eb", "")]
    [InlineData("/a", "?x=%1e")]
    [InlineData("/a", "?x=%1F")]
    [InlineData("/a", "?x=\u001e")]
    public void KeyDelimiters_InThePathOrQuery_AreFound(string path, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = new PathString(Uri.UnescapeDataString(path));
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);

        Assert.True(CacheableRequest.HasKeyDelimiters(context, new("*"), default, default));
    }

    [Fact]
    public void KeyDelimiters_InAVariedHeader_AreFound_AndOrdinaryRequestsPass()
    {
        var context = new DefaultHttpContext();
        context.Request.Path = "/a";
        context.Request.QueryString = new QueryString("?x=%41");
        context.Request.Headers["X-Region"] = "eu\u001f";

        Assert.False(CacheableRequest.HasKeyDelimiters(context, new("*"), default, default));
        Assert.True(CacheableRequest.HasKeyDelimiters(context, new("*"), new("X-Region"), default));
    }
}
