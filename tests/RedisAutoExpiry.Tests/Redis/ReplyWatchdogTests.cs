using System.Diagnostics;
using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tests.Redis;

/// <summary>The pooled reply bound, as pure logic: the "replies" are tasks the tests complete themselves.</summary>
public sealed class ReplyWatchdogTests
{
    [Fact]
    public async Task AReplyInTime_IsReturned_AndTheDeadlineLaterDoesNothing()
    {
        using var watchdog = new ReplyWatchdog(TimeSpan.FromMilliseconds(100));
        var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = AwaitAsync(watchdog.WaitAsync(reply.Task));
        await WaitForAsync(() => watchdog.Watched == 1, "the caller waits"); // the reply comes after the await began
        reply.SetResult(42);

        Assert.Equal(42, await wait);
        await WaitForAsync(() => watchdog.Watched == 0, "the answered wait is no longer watched");
        Assert.Equal(7, await watchdog.WaitAsync(Task.FromResult(7))); // a reply in before the await
    }

    [Fact]
    public async Task NoReply_EndsInATimeout_NoEarlierThanTheBound_AndNotMuchLater()
    {
        using var watchdog = new ReplyWatchdog(TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<TimeoutException>(async () => await watchdog.WaitAsync(new TaskCompletionSource<int>().Task));
        Assert.InRange(clock.ElapsedMilliseconds, 99, 2000); // a tenth late by design; more only on a stalled machine
    }

    [Fact]
    public async Task AWatchdogThatWentIdle_StillTimesOutTheNextWait()
    {
        using var watchdog = new ReplyWatchdog(TimeSpan.FromMilliseconds(50));
        for (var round = 0; round < 3; round++)
        {
            // Each round starts with nothing watched and the timer stopped, so the wait must arm it again.
            await WaitForAsync(() => watchdog.Watched == 0, "the previous deadline passes");
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAsync<TimeoutException>(async () => await watchdog.WaitAsync(new TaskCompletionSource<int>().Task));
            Assert.InRange(clock.ElapsedMilliseconds, 49, 2000);
        }
    }

    [Fact]
    public async Task AFailedReply_ThrowsTheTasksOwnException()
    {
        using var watchdog = new ReplyWatchdog(TimeSpan.FromSeconds(5));
        var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var failure = new InvalidOperationException("from Redis");
        var wait = AwaitAsync(watchdog.WaitAsync(reply.Task));
        await WaitForAsync(() => watchdog.Watched == 1, "the caller waits");
        reply.SetException(failure);

        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => wait));
        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(async () => await watchdog.WaitAsync(Task.FromException<int>(failure))));
    }

    [Fact]
    public async Task PooledWaits_NeverMixUpReplies_NorTimeOutAnotherCallsWait()
    {
        using var watchdog = new ReplyWatchdog(TimeSpan.FromMilliseconds(500));
        var timedOut = 0;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(caller => Task.Run(async () =>
        {
            var random = new Random(caller);
            for (var i = 0; i < 300; i++)
            {
                var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                var value = caller * 1000 + i;
                var hangs = random.Next(150) == 0;
                var wait = watchdog.WaitAsync(reply.Task);
                if (!hangs)
                {
                    _ = Task.Run(() => reply.SetResult(value));
                }

                try
                {
                    Assert.Equal(value, await wait);
                    Assert.False(hangs, "a reply that never came was answered");
                }
                catch (TimeoutException)
                {
                    // Only a reply that never comes may time out; one completed at once would only on a stalled machine.
                    Assert.True(hangs, "a wait whose reply came at once timed out");
                    Interlocked.Increment(ref timedOut);
                    reply.TrySetResult(-1); // late: must reach nobody
                }
            }
        })));

        Assert.InRange(timedOut, 1, 32 * 300);
    }

    [Fact]
    public async Task RepliesThatComeWhileTheCallerStartsWaiting_AreReturned_AndLeaveNothingWatchedOrBroken()
    {
        // The reply races the caller's await: it may land before, during or after the wait registers with the task and
        // starts the watchdog's timer, and the pooled wait may be back in the pool (and reused) before that has finished.
        using var watchdog = new ReplyWatchdog(TimeSpan.FromSeconds(5));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var reply = new TaskCompletionSource<int>();
                var value = caller * 100_000 + i;
                var completes = Task.Run(() => reply.SetResult(value));
                Assert.Equal(value, await watchdog.WaitAsync(reply.Task));
                await completes;
            }
        })));

        Assert.Equal(0, watchdog.Watched); // every wait answered: none is left waiting for the timer to end it
    }

    [Fact]
    public async Task AnEarlierUsesDeadline_NeverEndsALaterUseOfTheSamePooledWait()
    {
        using var watchdog = new ReplyWatchdog(TimeSpan.FromMilliseconds(300));
        var first = new TaskCompletionSource<OldDeadline>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstWait = watchdog.WaitAsync(first.Task);
        var pooled = firstWait.Wait;
        var answered = AwaitAsync(firstWait);
        await Task.Delay(150);
        first.SetResult(new OldDeadline(1));
        Assert.Equal(new OldDeadline(1), await answered);
        await WaitForAsync(() => BoundedWait<OldDeadline>.Pooled == 1, "the task's continuation lets go of the wait too");

        // Its first use's deadline would be about 130 ms away; this use's is 300 ms away.
        var second = watchdog.WaitAsync(new TaskCompletionSource<OldDeadline>().Task);
        Assert.Same(pooled, second.Wait);
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(async () => await second);
        Assert.InRange(clock.ElapsedMilliseconds, 299, 2000);
    }

    [Fact]
    public async Task EveryWayAWaitEnds_ReturnsItToThePool()
    {
        using var watchdog = new ReplyWatchdog(TimeSpan.FromMilliseconds(50));
        var ready = watchdog.WaitAsync(Task.FromResult(new Pooled(1)));
        var pooled = ready.Wait;
        Assert.Equal(new Pooled(1), await ready); // the reply was in before the await

        var late = new TaskCompletionSource<Pooled>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waited = watchdog.WaitAsync(late.Task);
        Assert.Same(pooled, waited.Wait);
        var answered = AwaitAsync(waited);
        late.SetResult(new Pooled(2));
        Assert.Equal(new Pooled(2), await answered); // the reply came while the caller waited
        await WaitForAsync(() => BoundedWait<Pooled>.Pooled == 1, "the waited reply's wait is back in the pool");

        var never = new TaskCompletionSource<Pooled>(TaskCreationOptions.RunContinuationsAsynchronously);
        var timedOut = watchdog.WaitAsync(never.Task);
        Assert.Same(pooled, timedOut.Wait);
        await Assert.ThrowsAsync<TimeoutException>(async () => await timedOut);
        never.SetException(new InvalidOperationException("late")); // the reply after the timeout lets go of it
        await WaitForAsync(() => BoundedWait<Pooled>.Pooled == 1, "the timed-out wait is back in the pool");

        Assert.Same(pooled, watchdog.WaitAsync(Task.FromResult(new Pooled(3))).Wait);
    }

    [Fact]
    public async Task AnotherWatchdogsShorterBound_NeverEndsThisWatchdogsWait()
    {
        // The watchdogs scan one registry of waits: each must end only its own.
        using var slow = new ReplyWatchdog(TimeSpan.FromSeconds(30));
        using var fast = new ReplyWatchdog(TimeSpan.FromMilliseconds(20));
        var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = AwaitAsync(slow.WaitAsync(reply.Task));
        for (var i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<TimeoutException>(async () => await fast.WaitAsync(new TaskCompletionSource<int>().Task));
        }

        Assert.False(waiting.IsCompleted, "the 30 s wait ended after 10 waits of 20 ms");
        Assert.Equal(1, slow.Watched);
        reply.SetResult(5);
        Assert.Equal(5, await waiting);
    }

    [Fact]
    public async Task AWaitAwaitedTwice_Throws_RatherThanReadingAnotherCallsReply()
    {
        using var watchdog = new ReplyWatchdog(TimeSpan.FromSeconds(5));
        var wait = watchdog.WaitAsync(Task.FromResult(1));
        Assert.Equal(1, await wait);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await wait);
        var pending = watchdog.WaitAsync(new TaskCompletionSource<int>().Task);
        Assert.Throws<InvalidOperationException>(() => pending.GetResult()); // would block with no bound
    }

    [Fact]
    public async Task DisposingTheWatchdog_EndsTheWaitsItWatches_AndLaterOnesAtOnce()
    {
        var watchdog = new ReplyWatchdog(TimeSpan.FromMinutes(5));
        var waiting = AwaitAsync(watchdog.WaitAsync(new TaskCompletionSource<int>().Task));
        await WaitForAsync(() => watchdog.Watched == 1, "the caller waits");
        watchdog.Dispose();

        await EndsWithTheWatchdogsTimeoutAsync(waiting);
        await EndsWithTheWatchdogsTimeoutAsync(AwaitAsync(watchdog.WaitAsync(new TaskCompletionSource<int>().Task)));

        static async Task EndsWithTheWatchdogsTimeoutAsync(Task<int> waiting)
        {
            Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(5)))); // not left waiting
            await Assert.ThrowsAsync<TimeoutException>(() => waiting);
        }
    }

    // A caller awaiting the wait, as RedisStore does: in a method of its own, so the test can go on meanwhile.
    private static async Task<T> AwaitAsync<T>(BoundedReply<T> wait) => await wait;

    // Reply types of single tests: each has a pool of waits of its own, which no other test takes from.
    private readonly record struct OldDeadline(int Value);

    private readonly record struct Pooled(int Value);

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not within 5 s");
            await Task.Delay(10);
        }
    }
}
