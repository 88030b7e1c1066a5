namespace RedisAutoExpiry.Tagging;

/// <summary>An eviction of more than one page, running: <see cref="ForgetQueue"/>'s loop waits while one is.</summary>
internal readonly struct EvictionScope(ForgetQueue queue) : IDisposable
{
    public void Dispose() => queue.ExitEviction();
}
