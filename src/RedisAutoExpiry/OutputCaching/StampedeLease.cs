namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// One process's view of one missing response: every local request for it waits on <see cref="Outcome"/>, which
/// ends with the response (stored here or elsewhere) or with null (render it yourself), by <see cref="Deadline"/> at
/// the latest.
/// </summary>
internal sealed class StampedeLease(string key, DateTime deadline)
{
    private readonly TaskCompletionSource<byte[]?> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _wake = new(0);
    private string? _owner;
    private int _released;

    public string Key { get; } = key;

    /// <summary>When the lease runs out in Redis: nobody waits on it past this (UTC).</summary>
    public DateTime Deadline { get; } = deadline;

    /// <summary>Set when this process holds the lease in Redis: one of its requests is rendering the response.</summary>
    public string? Owner
    {
        get => Volatile.Read(ref _owner);
        set => Volatile.Write(ref _owner, value);
    }

    public Task<byte[]?> Outcome => _outcome.Task;

    /// <summary>Ends the wait; the first outcome stands.</summary>
    public void Finish(byte[]? response) => _outcome.TrySetResult(response);

    /// <summary>True once only, for the one caller that must release the lease in Redis.</summary>
    public bool TryClaimRelease() => Owner is not null && Interlocked.Exchange(ref _released, 1) == 0;

    /// <summary>A lease was released somewhere: look now rather than at the next poll.</summary>
    public void Wake() => _wake.Release();

    public Task<bool> WaitForWakeAsync(TimeSpan timeout) => _wake.WaitAsync(timeout);
}
