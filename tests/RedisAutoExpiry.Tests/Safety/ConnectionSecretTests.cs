using RedisAutoExpiry.Testing;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Safety;

/// <summary>The connection string's password appears in no log line and no exception, whatever goes wrong.</summary>
public sealed class ConnectionSecretTests : RedisTestBase
{
    private const string Password = "pw-Only-The-Server-Knows-7c1d";

    [Fact]
    public async Task AWrongPassword_FailsTheCall_WithoutShowingThePasswordGiven()
    {
        const string Wrong = "pw-Wrong-Guess-4b8a";
        await using var server = await RedisServer.StartAsync("default.conf", "--requirepass", Password);
        var log = new CapturingLogger();
        await using var cache = CreateCacheOn(server, o => o.Configuration = $"{server.Endpoint},password={Wrong},connectTimeout=1000", log);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => cache.GetAsync("key"));

        Assert.DoesNotContain(Wrong, failure.ToString());
        Assert.DoesNotContain(Wrong, log.AllText);
        Assert.NotEmpty(log.Entries); // the failed connection was logged, without the password
    }

    [Fact]
    public async Task TheRightPassword_Works_AndAnOutageAfterwardsShowsItNowhere()
    {
        await using var server = await RedisServer.StartAsync("default.conf", "--requirepass", Password);
        var log = new CapturingLogger();
        await using var cache = CreateCacheOn(server, o =>
        {
            o.Configuration = server.ConnectionString($"password={Password}");
            o.Resilience.OperationTimeout = TimeSpan.FromMilliseconds(300);
            o.Resilience.BreakAfterFailures = 2;
        }, log);
        await cache.SetAsync("key", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        Assert.Equal([1], await cache.GetAsync("key"));

        server.Stop();
        var failures = new List<Exception>();
        for (var i = 0; i < 4; i++)
        {
            failures.Add(await Assert.ThrowsAnyAsync<Exception>(() => cache.GetAsync("key")));
        }

        Assert.Contains(failures, f => f is RedisUnavailableException); // the breaker opened, and logged why
        Assert.All(failures, f => Assert.DoesNotContain(Password, f.ToString()));
        Assert.DoesNotContain(Password, log.AllText);
        Assert.Contains(log.Entries, e => e.Id.Id == 24);
    }
}
