namespace RedisAutoExpiry.Redis;

/// <summary>
/// Waits for a client task's reply, or a timeout, without allocating per call: the object is pooled and does the work
/// of the caller's awaiter (<see cref="BoundedReply{T}"/>), so the caller's state machine resumes straight from the
/// task's continuation (or from the watchdog), with no <c>ValueTask</c> source in between: one hand-off per reply
/// rather than two, about 0.4 µs of CPU per call here (benchmarks/performance-notes.md, P1). It goes back to the pool
/// once the caller has its result and, when the caller had to wait, the task has completed (its continuation holds a
/// reference until then).
/// </summary>
internal sealed class BoundedWait<T> : BoundedWait
{
    private const int PoolLimit = 1024;
    private static readonly Stack<BoundedWait<T>> Pool = new();

    private readonly Action _onReply;
    private Task<T>? _task;
    private Action? _continuation;
    private bool _timedOut;
    private int _owners;
    private int _use; // changes when rented and when returned: a BoundedReply of an earlier use no longer matches

    private BoundedWait() => _onReply = OnReply;

    /// <summary>Waits in the pool, ready for the next call (for tests).</summary>
    internal static int Pooled
    {
        get
        {
            lock (Pool)
            {
                return Pool.Count;
            }
        }
    }

    /// <summary>A wait for <paramref name="task"/>, bounded by <paramref name="watchdog"/> if the caller has to wait.</summary>
    public static BoundedReply<T> Start(Task<T> task, ReplyWatchdog watchdog)
    {
        BoundedWait<T>? wait;
        lock (Pool)
        {
            Pool.TryPop(out wait);
        }

        wait ??= new BoundedWait<T>();
        wait._task = task;
        wait.Watchdog = watchdog;
        wait._timedOut = false;
        return new BoundedReply<T>(wait, ++wait._use);
    }

    public bool IsCompleted(int use)
    {
        CheckUse(use);
        return _task!.IsCompleted;
    }

    // Only the caller's await gets here, once: the deadline starts now, and only for a reply not in yet. The watchdog
    // is read first: once the task's continuation is registered, the reply may resume the caller and return this
    // object to the pool (clearing it) before the watchdog hears of it; the generation then makes that harmless.
    public void UnsafeOnCompleted(Action continuation, int use)
    {
        CheckUse(use);
        _continuation = continuation;
        _owners = 2; // the caller and the task's continuation
        var (watchdog, generation) = (Watchdog!, Begin());
        _task!.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onReply);
        watchdog.Watch(this, generation);
    }

    public void OnCompleted(Action continuation, int use)
    {
        var context = ExecutionContext.Capture();
        UnsafeOnCompleted(context is null
            ? continuation
            : () => ExecutionContext.Run(context, static state => ((Action)state!)(), continuation), use);
    }

    private void OnReply()
    {
        if (TryClaim())
        {
            _continuation!();
        }
        else
        {
            _ = _task!.Exception; // timed out before the reply: its failure, if any, is observed here
        }

        Release();
    }

    // The watchdog's timeout, on the thread pool.
    public override void Execute()
    {
        _timedOut = true;
        _continuation!();
    }

    public T GetResult(int use)
    {
        CheckUse(use);
        var (task, timedOut, timeout) = (_task!, _timedOut, Watchdog!.Timeout);
        if (_continuation is null)
        {
            if (!task.IsCompleted)
            {
                // GetAwaiter().GetResult() without an await: it would block with no bound at all.
                throw new InvalidOperationException("A bounded wait must be awaited, not read before its reply.");
            }

            Return(); // the reply was in before the caller awaited: nothing else holds this object
        }
        else
        {
            _continuation = null;
            Release();
        }

        return timedOut
            ? throw new TimeoutException($"Redis did not answer within {timeout.TotalMilliseconds:0} ms.")
            : task.GetAwaiter().GetResult();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _owners) == 0)
        {
            Return();
        }
    }

    private void CheckUse(int use)
    {
        if (use != _use)
        {
            throw new InvalidOperationException("A bounded wait was awaited twice, or after its result was taken.");
        }
    }

    private void Return()
    {
        _use++;
        _task = null;
        Watchdog = null;
        lock (Pool)
        {
            if (Pool.Count < PoolLimit)
            {
                Pool.Push(this);
                return;
            }
        }

        Unregister();
    }
}
