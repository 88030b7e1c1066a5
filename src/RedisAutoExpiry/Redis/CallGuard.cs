using Microsoft.Extensions.Logging;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// The bounds and breakers every call goes through (see <see cref="CallKind"/>). Two breakers, because the output
/// cache's bound is much shorter: a stall of 100 ms times out its calls and should stop them waiting, but must not
/// refuse the app's own cache calls, which would still have been answered within theirs.
/// </summary>
internal sealed class CallGuard : IDisposable
{
    private readonly CircuitBreaker _calls;
    private readonly CircuitBreaker _outputCache;

    public CallGuard(RedisAutoExpiryResilienceOptions options, Func<TimeSpan, Task> ping, ILogger logger)
    {
        OperationTimeout = options.OperationTimeout;
        OutputCacheTimeout = options.OutputCacheTimeout;
        _calls = new CircuitBreaker("cache calls", options.BreakAfterFailures, options.ProbeInterval,
            () => ping(OperationTimeout), logger);

        // Its probe has the output cache's bound: it closes only once Redis is fast enough for those calls again.
        _outputCache = new CircuitBreaker("output cache calls", options.BreakAfterFailures, options.ProbeInterval,
            () => ping(OutputCacheTimeout), logger);
    }

    public TimeSpan OperationTimeout { get; }

    public TimeSpan OutputCacheTimeout { get; }

    /// <summary>Whether the breaker for all cache calls is open.</summary>
    public bool CacheCallsOpen => _calls.IsOpen;

    /// <summary>Whether the output cache's own breaker is open.</summary>
    public bool OutputCacheCallsOpen => _outputCache.IsOpen;

    /// <summary>True while output cache calls are refused: the output cache then skips Redis without an exception.</summary>
    public bool OutputCacheRefused => _calls.IsOpen || _outputCache.IsOpen;

    /// <summary>True while output cache calls are refused or the last one got no answer.</summary>
    public bool OutputCacheFailing => _calls.IsOpen || _outputCache.IsFailing;

    public TimeSpan TimeoutOf(CallKind kind) => kind == CallKind.OutputCache ? OutputCacheTimeout : OperationTimeout;

    /// <summary>Throws <see cref="RedisUnavailableException"/> when a breaker that applies to <paramref name="kind"/> is open.</summary>
    public void Enter(CallKind kind)
    {
        if (kind == CallKind.Background)
        {
            return;
        }

        _calls.ThrowIfOpen();
        if (kind == CallKind.OutputCache)
        {
            _outputCache.ThrowIfOpen();
        }
    }

    /// <summary>Redis answered (a reply or an error reply).</summary>
    public void Answered(CallKind kind)
    {
        switch (kind)
        {
            case CallKind.Caller:
                _calls.OnAnswer();
                break;
            case CallKind.OutputCache:
                // Answered within the short bound: within the long one too.
                _calls.OnAnswer();
                _outputCache.OnAnswer();
                break;
        }
    }

    /// <summary>
    /// Redis gave no answer: no connection, or none within the call's bound. A connection failure, or a timeout of the
    /// long bound, counts for both breakers; a timeout of the output cache's short bound for its own only.
    /// </summary>
    public void NoAnswer(CallKind kind, Exception failure)
    {
        if (kind == CallKind.Background)
        {
            return;
        }

        _outputCache.OnNoAnswer(failure);
        if (kind == CallKind.Caller || failure is not TimeoutException)
        {
            _calls.OnNoAnswer(failure);
        }
    }

    /// <summary>A connection came back: open breakers probe now.</summary>
    public void ProbeSoon()
    {
        _calls.ProbeSoon();
        _outputCache.ProbeSoon();
    }

    public void Dispose()
    {
        _calls.Dispose();
        _outputCache.Dispose();
    }
}
