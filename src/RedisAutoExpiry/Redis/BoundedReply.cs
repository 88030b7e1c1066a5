using System.Runtime.CompilerServices;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// What <see cref="ReplyWatchdog.WaitAsync{T}"/> returns: one use of a pooled <see cref="BoundedWait{T}"/>, awaitable
/// once. The use number makes a stale copy (awaited a second time, or after its result was taken, when the object may
/// already serve another call) throw <see cref="InvalidOperationException"/> instead of reading another call's reply.
/// </summary>
internal readonly struct BoundedReply<T> : ICriticalNotifyCompletion
{
    private readonly BoundedWait<T> _wait;
    private readonly int _use;

    internal BoundedReply(BoundedWait<T> wait, int use)
    {
        _wait = wait;
        _use = use;
    }

    /// <summary>The pooled object behind this use (for tests).</summary>
    internal BoundedWait<T> Wait => _wait;

    public BoundedReply<T> GetAwaiter() => this;

    public bool IsCompleted => _wait.IsCompleted(_use);

    public void UnsafeOnCompleted(Action continuation) => _wait.UnsafeOnCompleted(continuation, _use);

    public void OnCompleted(Action continuation) => _wait.OnCompleted(continuation, _use);

    public T GetResult() => _wait.GetResult(_use);
}
