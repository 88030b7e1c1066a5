namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// One process's view of one missing response: every local request for it waits on <see cref="Outcome"/>, which
/// ends with the response (stored here or elsewhere) or with null (render it yourself).
/// </summary>
internal sealed class StampedeLease(string key)
{
    private readonly TaskCompletionSource<byte[]?> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _wake = new(0);

    public string Key { get; } = key;

    /// <summary>Set when this process holds the lease in Redis: one of its requests is rendering the response.</summary>
    public string? Owner { get; set; }

    public Task<byte[]?> Outcome => _outcome.Task;

    /// <summary>Ends the wait; false when it had already ended.</summary>
    public bool Finish(byte[]? response) => _outcome.TrySetResult(response);

    /// <summary>A lease was released somewhere: look now rather than at the next poll.</summary>
    public void Wake() => _wake.Release();

    public Task<bool> WaitForWakeAsync(TimeSpan timeout) => _wake.WaitAsync(timeout);
}
