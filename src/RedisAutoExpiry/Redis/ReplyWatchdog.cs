using System.Diagnostics;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// Bounds the waits for replies of one timeout with one timer, instead of a timer per call (<c>Task.WaitAsync</c>
/// creates and cancels one each time, about 250 bytes and a lock on the runtime's timer queue). A call registers
/// nothing: its wait holds its own deadline (see <see cref="BoundedWait"/>), and the timer, which runs only while waits
/// of this watchdog may be waiting, scans the waits at the earliest deadline it found, at least a tenth of the timeout
/// apart (1 ms at least), so a timeout fires up to that late.
/// </summary>
internal sealed class ReplyWatchdog : IDisposable
{
    private readonly long _timeoutTicks;
    private readonly long _spacingTicks;
    private readonly Timer _timer;
    private readonly object _gate = new();
    private int _armed;
    private volatile bool _disposed;

    public ReplyWatchdog(TimeSpan timeout)
    {
        Timeout = timeout;
        _timeoutTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        _spacingTicks = (long)(Math.Max(1, timeout.TotalMilliseconds / 10) / 1000 * Stopwatch.Frequency);
        _timer = new Timer(static state => ((ReplyWatchdog)state!).Check(), this, System.Threading.Timeout.Infinite, System.Threading.Timeout.Infinite);
    }

    public TimeSpan Timeout { get; }

    /// <summary>
    /// The reply of <paramref name="task"/>, or a <see cref="TimeoutException"/> once <see cref="Timeout"/> passes. To be
    /// awaited once, at once; the continuation never captures a synchronization context.
    /// </summary>
    public BoundedReply<T> WaitAsync<T>(Task<T> task) => BoundedWait<T>.Start(task, this);

    internal long DeadlineFromNow() => Stopwatch.GetTimestamp() + _timeoutTicks;

    /// <summary>
    /// Sees that use <paramref name="generation"/> of <paramref name="wait"/>, begun just before, ends by its deadline:
    /// starts the timer if it is not running; ends the wait at once when this watchdog is disposed, since nothing would
    /// end it later (the client's own async timeout is coarse, and a disposed multiplexer's may never come).
    /// </summary>
    internal void Watch(BoundedWait wait, long generation)
    {
        if (_disposed)
        {
            wait.Expire(generation);
        }
        else if (Volatile.Read(ref _armed) == 0 && Interlocked.CompareExchange(ref _armed, 1, 0) == 0)
        {
            // Soon rather than at the deadline: a scan that began before this wait may have found an earlier one and be
            // about to start the timer for it, which it now leaves to this.
            Arm(_spacingTicks);
        }
    }

    /// <summary>Waits of this watchdog still waiting (for tests).</summary>
    internal int Watched => BoundedWait.Waiting(this);

    // The flag is cleared before the scan: a wait begun after the scan looked at it finds the timer stopped and starts it.
    private void Check()
    {
        Interlocked.Exchange(ref _armed, 0);
        var now = Stopwatch.GetTimestamp();
        var earliest = BoundedWait.ExpireOverdue(this, now, everything: false);
        if (earliest != long.MaxValue && Interlocked.CompareExchange(ref _armed, 1, 0) == 0)
        {
            Arm(Math.Max(earliest - now, _spacingTicks));
        }
    }

    private void Arm(long dueTicks)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _timer.Change((long)Math.Ceiling(dueTicks * 1000.0 / Stopwatch.Frequency), System.Threading.Timeout.Infinite);
            }
        }
    }

    // Waits still waiting end at once with a timeout: no timer is left to end them. A wait begun meanwhile sees the flag.
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer.Dispose();
        }

        Interlocked.MemoryBarrier();
        BoundedWait.ExpireOverdue(this, Stopwatch.GetTimestamp(), everything: true);
    }
}
