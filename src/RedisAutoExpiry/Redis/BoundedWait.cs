namespace RedisAutoExpiry.Redis;

/// <summary>A pooled wait for one reply that a <see cref="ReplyWatchdog"/> can end with a timeout.</summary>
internal abstract class BoundedWait : IThreadPoolWorkItem
{
    // The generation (the high bits, one per use of this object) and whether that use has completed (the low bit),
    // in one field so a watchdog holding an old generation can never complete a later use.
    private long _state;

    protected long Generation => Volatile.Read(ref _state) >> 1;

    protected void Begin() => Volatile.Write(ref _state, (Generation + 1) << 1);

    /// <summary>Claims the completion for the current use; false when it is taken already.</summary>
    protected bool TryClaim()
    {
        var state = Volatile.Read(ref _state);
        return (state & 1) == 0 && Interlocked.CompareExchange(ref _state, state | 1, state) == state;
    }

    /// <summary>
    /// Ends the wait with a timeout if it is still the use <paramref name="generation"/> and still waiting. The caller's
    /// continuation then runs on the thread pool, not on the watchdog's timer thread.
    /// </summary>
    public void Expire(long generation)
    {
        var state = Volatile.Read(ref _state);
        if (state == generation << 1 && Interlocked.CompareExchange(ref _state, state | 1, state) == state)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    public abstract void Execute();
}
