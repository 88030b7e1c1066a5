using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using RedisAutoExpiry.Testing;
using RedisAutoExpiry.Tests.Infrastructure;
using RedisAutoExpiry.Tests.Resilience;

namespace RedisAutoExpiry.Tests.Diagnostics;

/// <summary><c>AddHealthChecks().AddRedisAutoExpiryCache()</c> against real servers in each state.</summary>
public sealed class HealthCheckTests : ResilienceTestBase
{
    [Fact]
    public async Task RedisAnswering_AndNotificationsSubscribed_IsHealthy()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var app = Services(redis.Server.ConnectionString());

        var entry = await EventuallyStatusAsync(app, HealthStatus.Healthy);

        Assert.StartsWith("Redis answered a PING in", entry.Description);
        Assert.Equal("closed", entry.Data["circuit.cache_calls"]);
        Assert.Equal("subscribed", entry.Data["keyspace_notifications"]);
    }

    [Fact]
    public async Task NotificationsMissing_AndNotToBeConfigured_IsDegraded()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var app = Services(redis.Server.ConnectionString(), o => o.Tags.ConfigureKeyspaceNotifications = false);

        // Just after connecting the listener is not subscribed yet (degraded too); then the check finds the flags missing.
        var entry = await EventuallyStatusAsync(app, HealthStatus.Degraded, "keyspace notifications are missing");

        Assert.Equal("missing", entry.Data["keyspace_notifications"]);
    }

    [Fact]
    public async Task BreakerOpen_WhileRedisAnswersAgain_IsDegraded_UntilItCloses()
    {
        await using var redis = await DedicatedRedis.StartAsync("default.conf");
        await using var app = Services(redis.Server.ConnectionString(), o =>
        {
            o.Resilience.OperationTimeout = TimeSpan.FromMilliseconds(200);
            o.Resilience.BreakAfterFailures = 2;
            o.Resilience.ProbeInterval = TimeSpan.FromMinutes(1); // stays open after the pause: only a probe closes it
        });
        var cache = app.GetRequiredService<RedisAutoExpiryCache>();
        await EventuallyStatusAsync(app, HealthStatus.Healthy);

        for (var attempt = 1; ; attempt++)
        {
            await PauseAsync(redis, 1500);
            await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync("entry"));
            await Assert.ThrowsAsync<TimeoutException>(() => cache.GetAsync("entry"));
            await Assert.ThrowsAsync<RedisUnavailableException>(() => cache.GetAsync("entry"));

            // Once the pause is over Redis answers the check's PING again.
            var health = app.GetRequiredService<HealthCheckService>();
            HealthReportEntry entry = default;
            await EventuallyAsync(async () => (entry = (await health.CheckHealthAsync()).Entries[RedisAutoExpiryHealthChecksBuilderExtensions.DefaultName])
                .Status != HealthStatus.Unhealthy, TimeSpan.FromSeconds(10), () => $"an answer to the check's PING; last: {entry.Description}");
            if ("open".Equals(entry.Data["circuit.cache_calls"]))
            {
                Assert.Equal(HealthStatus.Degraded, entry.Status);
                Assert.Contains("circuit breaker for cache calls is open", entry.Description);
                return;
            }

            // StackExchange.Redis 2.x can drop and restore its connection during the pause on a loaded machine; the
            // restore's probe then closes the breaker before the check runs, so there was no open breaker to report.
            Assert.Equal(HealthStatus.Healthy, entry.Status);
            Assert.True(attempt < 3, "the connection was restored during the pause three times in a row");
        }
    }

    [Fact]
    public async Task RedisGone_IsUnhealthy_AndTheOutputNamesNoPassword()
    {
        const string Password = "hc-S3cret-pw-9f2e";
        await using var server = await RedisServer.StartAsync("default.conf", "--requirepass", Password);
        await using var app = Services(server.ConnectionString($"password={Password}"), o =>
            o.Resilience.OperationTimeout = TimeSpan.FromMilliseconds(300));
        await EventuallyStatusAsync(app, HealthStatus.Healthy);

        server.Stop();
        var report = await EventuallyReportAsync(app, HealthStatus.Unhealthy);

        var entry = report.Entries[RedisAutoExpiryHealthChecksBuilderExtensions.DefaultName];
        Assert.StartsWith("Redis did not answer a PING", entry.Description);
        Assert.DoesNotContain(Password, Describe(report));
    }

    [Fact]
    public void Registration_UsesTheNameTagsAndFailureStatusGiven()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddRedisAutoExpiryCache("cache", HealthStatus.Degraded, ["ready"]);
        var registration = Assert.Single(services.BuildServiceProvider().GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>()
            .Value.Registrations);

        Assert.Equal("cache", registration.Name);
        Assert.Equal(HealthStatus.Degraded, registration.FailureStatus);
        Assert.Equal(["ready"], registration.Tags);
    }

    internal static string Describe(HealthReport report) => string.Join("\n", report.Entries.Select(e =>
        $"{e.Key} {e.Value.Status} {e.Value.Description} {e.Value.Exception} {string.Join(",", e.Value.Data.Select(d => $"{d.Key}={d.Value}"))}"));

    private ServiceProvider Services(string connection, Action<RedisAutoExpiryCacheOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging(logging => logging.AddProvider(new CapturingLoggerProvider(CacheLog)));
        services.AddRedisAutoExpiryCache(o =>
        {
            o.Configuration = connection;
            o.InstanceName = "health:";
            o.Resilience.ProbeInterval = TimeSpan.FromMilliseconds(100);
            configure?.Invoke(o);
        });
        services.AddHealthChecks().AddRedisAutoExpiryCache();
        return services.BuildServiceProvider();
    }

    private static async Task<HealthReportEntry> EventuallyStatusAsync(IServiceProvider app, HealthStatus status, string saying = "") =>
        (await EventuallyReportAsync(app, status, saying)).Entries[RedisAutoExpiryHealthChecksBuilderExtensions.DefaultName];

    private static async Task<HealthReport> EventuallyReportAsync(IServiceProvider app, HealthStatus status, string saying = "")
    {
        var health = app.GetRequiredService<HealthCheckService>();
        HealthReport? report = null;
        await EventuallyAsync(async () => (report = await health.CheckHealthAsync()).Status == status && Describe(report).Contains(saying),
            TimeSpan.FromSeconds(10), () => $"health {status} {saying}; last: {(report is null ? "none" : Describe(report))}");
        return report!;
    }
}
