using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.Tests.Redis;

/// <summary>The coalescing of background refreshes, as pure logic: each send is a task the test completes.</summary>
public sealed class SlidingRefreshesTests
{
    private readonly List<(string Key, byte[] Header, TaskCompletionSource Done)> _sent = [];

    private SlidingRefreshes Create() => new((key, header) =>
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_sent)
        {
            _sent.Add((key, header, done));
        }

        return done.Task;
    });

    [Fact]
    public async Task Refresh_WhileOneIsInFlight_SendsOneMoreAfterIt_WithTheLatestHeader()
    {
        var refreshes = Create();
        refreshes.Refresh("a", [1]);
        refreshes.Refresh("a", [2]);
        refreshes.Refresh("a", [3]);

        Assert.Single(_sent);
        _sent[0].Done.SetResult();
        await WaitForAsync(() => _sent.Count == 2);
        Assert.Equal([3], _sent[1].Header);

        _sent[1].Done.SetResult();
        await WaitForAsync(() => refreshes.InFlight == 0);
        Assert.Equal(2, _sent.Count);
    }

    [Fact]
    public void Refresh_OfDifferentEntries_SendsEachAtOnce()
    {
        var refreshes = Create();
        refreshes.Refresh("a", [1]);
        refreshes.Refresh("b", [1]);

        Assert.Equal(["a", "b"], _sent.Select(s => s.Key));
        Assert.Equal(2, refreshes.InFlight);
    }

    [Fact]
    public async Task Refresh_AfterTheLastCompleted_SendsAtOnceAgain()
    {
        var refreshes = Create();
        refreshes.Refresh("a", [1]);
        _sent[0].Done.SetResult();
        await WaitForAsync(() => refreshes.InFlight == 0);

        refreshes.Refresh("a", [2]);
        Assert.Equal(2, _sent.Count);
    }

    [Fact]
    public async Task Refresh_ThatFails_StillHandsOverToThePendingOne_AndLeavesNothingBehind()
    {
        var refreshes = Create();
        refreshes.Refresh("a", [1]);
        refreshes.Refresh("a", [2]);
        _sent[0].Done.SetException(new InvalidOperationException("lost"));
        await WaitForAsync(() => _sent.Count == 2);

        _sent[1].Done.SetException(new InvalidOperationException("lost again"));
        await WaitForAsync(() => refreshes.InFlight == 0);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 5 s");
            await Task.Delay(5);
        }
    }
}
