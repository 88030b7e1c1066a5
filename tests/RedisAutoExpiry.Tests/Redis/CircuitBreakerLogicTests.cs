using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using RedisAutoExpiry.Redis;
using StackExchange.Redis;

namespace RedisAutoExpiry.Tests.Redis;

/// <summary>The breaker's own logic, with a probe the test controls (no Redis behaviour is claimed here).</summary>
public sealed class CircuitBreakerLogicTests
{
    [Fact]
    public async Task AnEarlyProbeAskedForAfterItClosed_DoesNotCutTheNextOpeningsWaitShort()
    {
        var probes = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();
        using var breaker = new CircuitBreaker("test calls", 1, TimeSpan.FromMilliseconds(300), () =>
        {
            lock (probes)
            {
                probes.Add(clock.Elapsed);
            }

            return Task.CompletedTask;
        }, NullLogger.Instance);

        breaker.OnNoAnswer(new TimeoutException());
        breaker.ProbeSoon();
        await WaitUntilAsync(() => !breaker.IsOpen);
        breaker.ProbeSoon(); // closed: must be ignored
        var reopened = clock.Elapsed;
        breaker.OnNoAnswer(new TimeoutException());
        await WaitUntilAsync(() => !breaker.IsOpen);

        Assert.Equal(2, probes.Count);
        Assert.True(probes[1] - reopened >= TimeSpan.FromMilliseconds(250), $"second probe after {(probes[1] - reopened).TotalMilliseconds} ms");
    }

    [Fact]
    public void ItOpensOnlyAfterTheThreshold_AndAnAnswerResetsTheCount()
    {
        using var breaker = new CircuitBreaker("test calls", 3, TimeSpan.FromMinutes(1), () => Task.CompletedTask, NullLogger.Instance);

        breaker.OnNoAnswer(new TimeoutException());
        breaker.OnNoAnswer(new TimeoutException());
        breaker.OnAnswer();
        breaker.OnNoAnswer(new TimeoutException());
        breaker.OnNoAnswer(new TimeoutException());
        Assert.False(breaker.IsOpen);
        Assert.True(breaker.IsFailing);

        breaker.OnNoAnswer(new TimeoutException());
        Assert.True(breaker.IsOpen);
        Assert.Throws<RedisUnavailableException>(breaker.ThrowIfOpen);
    }

    [Fact]
    public void AThresholdOfZero_NeverOpens()
    {
        using var breaker = new CircuitBreaker("test calls", 0, TimeSpan.FromMinutes(1), () => Task.CompletedTask, NullLogger.Instance);

        for (var i = 0; i < 100; i++)
        {
            breaker.OnNoAnswer(new TimeoutException());
        }

        Assert.False(breaker.IsOpen);
    }

    [Fact]
    public void FailOpen_CoversOutages_NotAClientRefusingACommandItWasConfiguredToRefuse()
    {
        // Only the type matters here, not what a constructor would fill in.
        static Exception Of<T>() where T : Exception => (Exception)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(T));

        Assert.True(RedisFailure.Is(new TimeoutException()));
        Assert.True(RedisFailure.Is(Of<RedisConnectionException>()));
        Assert.True(RedisFailure.Is(Of<RedisServerException>()));
        Assert.True(RedisFailure.Is(new RedisUnavailableException("open", null)));
        Assert.False(RedisFailure.Is(Of<RedisCommandException>())); // a misconfiguration: thrown, never failed open
        Assert.False(RedisFailure.Is(new ArgumentException("bad")));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(5), "condition not met within 5 s");
            await Task.Delay(5);
        }
    }
}
