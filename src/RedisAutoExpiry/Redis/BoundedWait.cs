namespace RedisAutoExpiry.Redis;

/// <summary>
/// A pooled wait for one reply that a <see cref="ReplyWatchdog"/> can end with a timeout. Every wait in existence is in
/// one registry, which the watchdogs scan for waits past their deadline: a call only writes its deadline into its own
/// wait, rather than registering with a watchdog under a lock. (A watchdog's ring of registrations held every call
/// of the last timeout, about 5 MB at 200k calls/s with the 1 s bound, and its timer walked each one while holding
/// the lock every call took.) Waits exist as many as calls were ever in flight at once, up to the pools' limit, so a
/// scan is short. A wait whose client task never completes is timed out but never returned, and stays registered, as
/// its task stays referenced by the client.
/// </summary>
internal abstract class BoundedWait : IThreadPoolWorkItem
{
    private static readonly object RegistryGate = new();
    private static BoundedWait?[] s_registry = new BoundedWait?[64];
    private static int s_registered;

    // The generation (the high bits, one per use of this object) and whether that use has completed (the low bit),
    // in one field so a watchdog holding an old generation can never complete a later use.
    private long _state = 1;
    private long _deadline;
    private ReplyWatchdog? _watchdog;
    private int _slot;

    protected BoundedWait()
    {
        lock (RegistryGate)
        {
            if (s_registered == s_registry.Length)
            {
                Array.Resize(ref s_registry, s_registry.Length * 2);
            }

            _slot = s_registered++;
            s_registry[_slot] = this;
        }
    }

    /// <summary>The watchdog bounding the current use; null while pooled.</summary>
    protected ReplyWatchdog? Watchdog
    {
        get => _watchdog;
        set => _watchdog = value;
    }

    private long Generation => Volatile.Read(ref _state) >> 1;

    /// <summary>
    /// Starts waiting, bounded by <see cref="Watchdog"/>, and returns the use's generation. The deadline is written
    /// before the state that says the use waits, and the state with a full fence, so a scan that sees the use waiting
    /// sees its deadline, and the caller's look at whether the watchdog's timer runs comes after.
    /// </summary>
    protected long Begin()
    {
        Volatile.Write(ref _deadline, _watchdog!.DeadlineFromNow());
        var generation = Generation + 1;
        Interlocked.Exchange(ref _state, generation << 1);
        return generation;
    }

    /// <summary>Claims the completion for the current use; false when it is taken already.</summary>
    protected bool TryClaim()
    {
        var state = Volatile.Read(ref _state);
        return (state & 1) == 0 && Interlocked.CompareExchange(ref _state, state | 1, state) == state;
    }

    /// <summary>Takes this wait out of the registry, for good (its pool is full).</summary>
    protected void Unregister()
    {
        lock (RegistryGate)
        {
            var last = s_registry[--s_registered]!;
            s_registry[_slot] = last;
            last._slot = _slot;
            s_registry[s_registered] = null;
        }
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

    /// <summary>
    /// Ends the waits of <paramref name="watchdog"/> past their deadline at <paramref name="now"/> (all of them when
    /// <paramref name="everything"/>) and returns the earliest deadline still ahead, or <see cref="long.MaxValue"/>.
    /// </summary>
    internal static long ExpireOverdue(ReplyWatchdog watchdog, long now, bool everything)
    {
        var earliest = long.MaxValue;
        lock (RegistryGate)
        {
            for (var i = 0; i < s_registered; i++)
            {
                var wait = s_registry[i]!;
                var state = Volatile.Read(ref wait._state);
                if ((state & 1) != 0 || wait._watchdog != watchdog)
                {
                    continue; // not waiting, or another watchdog's: a use that starts after this read is not due yet
                }

                var deadline = Volatile.Read(ref wait._deadline);
                if (everything || deadline <= now)
                {
                    wait.Expire(state >> 1); // nothing, when the use ended meanwhile
                }
                else
                {
                    earliest = Math.Min(earliest, deadline);
                }
            }
        }

        return earliest;
    }

    /// <summary>Waits of <paramref name="watchdog"/> still waiting (for tests).</summary>
    internal static int Waiting(ReplyWatchdog watchdog)
    {
        lock (RegistryGate)
        {
            return s_registry.Take(s_registered).Count(wait => (Volatile.Read(ref wait!._state) & 1) == 0 && wait._watchdog == watchdog);
        }
    }

    public abstract void Execute();
}
