using System.Diagnostics;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// Bounds the waits for replies of one timeout with one timer, instead of a timer per call (<c>Task.WaitAsync</c>
/// creates and cancels one each time, about 250 bytes and a lock on the runtime's timer queue). Waits of one timeout
/// are registered in deadline order, so a FIFO ring holds them and the timer only ever looks at its head. Checks are
/// at least a tenth of the timeout apart (1 ms at least), so a timeout fires up to that late.
/// </summary>
internal sealed class ReplyWatchdog : IDisposable
{
    private readonly long _timeoutTicks;
    private readonly long _spacingTicks;
    private readonly Timer _timer;
    private readonly object _gate = new();
    private (BoundedWait Wait, long Generation, long Deadline)[] _ring = new (BoundedWait, long, long)[256];
    private int _head;
    private int _count;
    private bool _armed;
    private bool _disposed;

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

    /// <summary>
    /// Ends use <paramref name="generation"/> of <paramref name="wait"/> with a timeout once <see cref="Timeout"/> passes;
    /// at once when this watchdog is disposed, since nothing would end it later (the client's own async timeout is
    /// coarse, and a disposed multiplexer's may never come).
    /// </summary>
    internal void Watch(BoundedWait wait, long generation)
    {
        lock (_gate)
        {
            // Read inside the lock: the ring must stay in deadline order, as Check only looks at its head.
            var now = Stopwatch.GetTimestamp();
            if (_disposed)
            {
                wait.Expire(generation);
            }
            else
            {
                if (_count == _ring.Length)
                {
                    Grow();
                }

                _ring[(_head + _count) % _ring.Length] = (wait, generation, now + _timeoutTicks);
                _count++;
                if (!_armed)
                {
                    Arm(now, now + _timeoutTicks);
                }
            }
        }
    }

    /// <summary>Waits registered and not yet past their deadline, completed or not (for tests).</summary>
    internal int Watched
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    private void Check()
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _armed = false;
            while (_count > 0 && _ring[_head].Deadline <= now)
            {
                var (wait, generation, _) = _ring[_head];
                wait.Expire(generation); // nothing, when it has its reply already
                _ring[_head] = default;
                _head = (_head + 1) % _ring.Length;
                _count--;
            }

            if (_count > 0 && !_disposed)
            {
                Arm(now, _ring[_head].Deadline);
            }
        }
    }

    private void Arm(long now, long deadline)
    {
        var due = Math.Max(deadline - now, _spacingTicks);
        _armed = true;
        _timer.Change((long)Math.Ceiling(due * 1000.0 / Stopwatch.Frequency), System.Threading.Timeout.Infinite);
    }

    private void Grow()
    {
        var larger = new (BoundedWait, long, long)[_ring.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            larger[i] = _ring[(_head + i) % _ring.Length];
        }

        _ring = larger;
        _head = 0;
    }

    // Waits still watched end at once with a timeout: no timer is left to end them.
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            for (; _count > 0; _count--)
            {
                var (wait, generation, _) = _ring[_head];
                wait.Expire(generation); // nothing, when it has its reply already
                _ring[_head] = default;
                _head = (_head + 1) % _ring.Length;
            }
        }

        _timer.Dispose();
    }
}
