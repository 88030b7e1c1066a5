using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RedisAutoExpiry.Logging;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// Stops callers waiting on a Redis that does not answer. It counts calls in a row that got no answer (a connection
/// failure or a timeout; an error reply is an answer) and opens at the threshold. While open, calls are refused at
/// once, and one probe at a time is sent, <c>probeInterval</c> after the last, never by a caller: no request waits on a
/// probe. The first probe answered closes it.
/// </summary>
internal sealed class CircuitBreaker : IDisposable
{
    private static readonly TimeSpan FastProbeInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FastProbeWindow = TimeSpan.FromSeconds(5);

    private readonly string _name;
    private readonly int _threshold;
    private readonly TimeSpan _probeInterval;
    private readonly Func<Task> _probe;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly SemaphoreSlim _probeNow = new(0, 1);
    private readonly CancellationTokenSource _disposed = new();
    private int _failures;
    private long _fastProbesUntil;
    private volatile Opening? _open;

    /// <param name="name">Which calls it guards, for the log ("cache calls", "output cache calls").</param>
    /// <param name="threshold">Calls in a row without an answer that open it; zero: never opens.</param>
    /// <param name="probeInterval">Time between probes while open.</param>
    /// <param name="probe">One bounded round trip to Redis; completes when Redis answered, throws otherwise.</param>
    /// <param name="logger">Where opening and closing are logged.</param>
    public CircuitBreaker(string name, int threshold, TimeSpan probeInterval, Func<Task> probe, ILogger logger)
    {
        _name = name;
        _threshold = threshold;
        _probeInterval = probeInterval;
        _probe = probe;
        _logger = logger;
    }

    public bool IsOpen => _open is not null;

    /// <summary>Open, or the last call to finish got no answer (and none has been answered since).</summary>
    public bool IsFailing => _open is not null || Volatile.Read(ref _failures) > 0;

    /// <summary>Throws <see cref="RedisUnavailableException"/> while open.</summary>
    public void ThrowIfOpen()
    {
        if (_open is { } open)
        {
            throw open.Refusal(_name);
        }
    }

    public void OnAnswer()
    {
        // Read first: a write on every successful call would bounce the counter's cache line between cores.
        if (Volatile.Read(ref _failures) != 0)
        {
            Interlocked.Exchange(ref _failures, 0);
        }
    }

    public void OnNoAnswer(Exception failure)
    {
        if (Interlocked.Increment(ref _failures) < _threshold || _threshold == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_open is not null || _disposed.IsCancellationRequested)
            {
                return;
            }

            // A restored connection may have asked for early probes during the last opening: that request is stale,
            // and this opening waits its interval.
            while (_probeNow.Wait(0))
            {
            }

            Volatile.Write(ref _fastProbesUntil, 0);

            _open = new Opening(Stopwatch.GetTimestamp(), _threshold, failure);
        }

        // Off the caller's thread: rendering the exception's stack (the first time, symbol files are read) must not
        // stall the request that happened to be the last straw.
        _ = Task.Run(ProbeUntilClosedAsync);
    }

    /// <summary>
    /// A connection came back: probe now rather than at the next interval, and every 100 ms for a few seconds, since the
    /// client may raise the event a moment before the connection serves commands.
    /// </summary>
    public void ProbeSoon()
    {
        if (_open is null)
        {
            return; // closed: nothing to probe for
        }

        Volatile.Write(ref _fastProbesUntil, Stopwatch.GetTimestamp() + FastProbeWindow.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        if (_probeNow.CurrentCount == 0)
        {
            try
            {
                _probeNow.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller asked first; one early probe is enough.
            }
        }
    }

    private async Task ProbeUntilClosedAsync()
    {
        var opening = _open!;
        var token = _disposed.Token;
        Logged(() => Log.CircuitOpened(_logger, _name, _threshold, _probeInterval, opening.Failure));
        try
        {
            while (true)
            {
                var fast = Stopwatch.GetTimestamp() < Volatile.Read(ref _fastProbesUntil) && _probeInterval > FastProbeInterval;
                await _probeNow.WaitAsync(fast ? FastProbeInterval : _probeInterval, token).ConfigureAwait(false);
                try
                {
                    await _probe().ConfigureAwait(false);
                    break;
                }
                catch (Exception exception) when (!token.IsCancellationRequested)
                {
                    Logged(() => Log.ProbeFailed(_logger, _name, exception));
                }
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            return; // disposed: nobody calls any more
        }

        // Logged before the calls resume, so the log never shows calls succeeding under an open breaker.
        Logged(() => Log.CircuitClosed(_logger, _name, Stopwatch.GetElapsedTime(opening.Since).TotalSeconds));
        lock (_lock)
        {
            Interlocked.Exchange(ref _failures, 0);
            _open = null;
        }
    }

    // A logging provider that throws must not leave the breaker open for good.
    private static void Logged(Action log)
    {
        try
        {
            log();
        }
        catch (Exception)
        {
            // Nothing to report it to: the logger is what failed.
        }
    }

    public void Dispose() => _disposed.Cancel();

    private sealed record Opening(long Since, int Failures, Exception Failure)
    {
        public RedisUnavailableException Refusal(string name) => new(
            $"Redis is treated as unavailable for {name}: {Failures} calls in a row got no answer (the last failure is the inner " +
            $"exception) and the circuit breaker opened {Stopwatch.GetElapsedTime(Since).TotalSeconds:0.0} s ago. Calls are refused " +
            "without contacting Redis until it answers the breaker's probe.", Failure);
    }
}
