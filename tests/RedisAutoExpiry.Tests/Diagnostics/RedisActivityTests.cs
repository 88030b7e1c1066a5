using System.Collections.Concurrent;
using System.Diagnostics;
using RedisAutoExpiry.Tests.Infrastructure;

namespace RedisAutoExpiry.Tests.Diagnostics;

/// <summary>The ActivitySource's spans, one per Redis call, under the caller's own span.</summary>
public sealed class RedisActivityTests : RedisTestBase
{
    private static readonly ActivitySource TestSource = new("RedisAutoExpiry.Tests.Activity");

    [Fact]
    public async Task EachRedisCall_IsAClientSpan_UnderTheCallersSpan_AndAFailureMarksItsSpan()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is RedisAutoExpiryDiagnostics.ActivitySourceName or "RedisAutoExpiry.Tests.Activity",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var cache = CreateCache(WithoutTagMaintenance);
        await Inspector.StringSetAsync(Prefix() + "#rae:tag:broken", "not a set");

        ActivityTraceId trace;
        using (var parent = TestSource.StartActivity("request"))
        {
            Assert.NotNull(parent);
            trace = parent.TraceId;
            await cache.SetAsync("a", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
            await cache.GetAsync("a");
            await Assert.ThrowsAnyAsync<Exception>(() => cache.SetAsync("b", [1], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) }, ["broken"]));
        }

        var mine = spans.Where(s => s.TraceId == trace && s.Source.Name == RedisAutoExpiryDiagnostics.ActivitySourceName).ToList();
        Assert.Equal(["set", "get", "set"], mine.Select(s => s.OperationName));
        Assert.All(mine, s =>
        {
            Assert.Equal(ActivityKind.Client, s.Kind);
            Assert.Equal("redis", s.GetTagItem("db.system.name"));
        });
        Assert.Equal("GET", mine[1].GetTagItem("db.operation.name"));
        Assert.Equal(ActivityStatusCode.Unset, mine[0].Status);
        Assert.Equal(ActivityStatusCode.Error, mine[2].Status);
        Assert.Equal("server_error", mine[2].GetTagItem("error.type"));
    }
}
