using System.Threading.Tasks.Sources;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// Waits for a client task's reply, or a timeout, without allocating per call: the object is pooled, completes
/// through <see cref="ManualResetValueTaskSourceCore{TResult}"/>, and goes back to the pool once both the caller
/// has its result and the task has completed (its continuation holds a reference until then).
/// </summary>
internal sealed class BoundedWait<T> : BoundedWait, IValueTaskSource<T>
{
    private const int PoolLimit = 1024;
    private static readonly Stack<BoundedWait<T>> Pool = new();

    private readonly Action _onReply;
    private ManualResetValueTaskSourceCore<T> _core;
    private Task<T>? _task;
    private TimeSpan _timeout;
    private int _owners;

    private BoundedWait() => _onReply = OnReply;

    /// <summary>Starts waiting for <paramref name="task"/>; returns the generation to give the watchdog.</summary>
    public static (BoundedWait<T> Wait, long Generation) Start(Task<T> task, TimeSpan timeout)
    {
        BoundedWait<T>? wait = null;
        lock (Pool)
        {
            Pool.TryPop(out wait);
        }

        wait ??= new BoundedWait<T>();
        wait._core.Reset();
        wait._task = task;
        wait._timeout = timeout;
        wait._owners = 2; // the caller and the task's continuation
        wait.Begin();
        var generation = wait.Generation;
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(wait._onReply);
        return (wait, generation);
    }

    public ValueTask<T> AsValueTask() => new(this, _core.Version);

    private void OnReply()
    {
        var task = _task!;
        if (TryClaim())
        {
            if (task.IsCompletedSuccessfully)
            {
                _core.SetResult(task.Result);
            }
            else
            {
                _core.SetException(task.Exception?.InnerException ?? new TaskCanceledException(task));
            }
        }
        else
        {
            _ = task.Exception; // timed out before the reply: its failure, if any, is observed here
        }

        Release();
    }

    // The watchdog's timeout, on the thread pool.
    public override void Execute() =>
        _core.SetException(new TimeoutException($"Redis did not answer within {_timeout.TotalMilliseconds:0} ms."));

    public T GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Release()
    {
        if (Interlocked.Decrement(ref _owners) != 0)
        {
            return;
        }

        _task = null;
        lock (Pool)
        {
            if (Pool.Count < PoolLimit)
            {
                Pool.Push(this);
            }
        }
    }
}
