using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Logging;
using RedisAutoExpiry.Logging;
using RedisAutoExpiry.Redis;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// Makes concurrent misses for one response render it once across every instance sharing the Redis, not once per
/// instance as the middleware's own locking does. After a miss, the first request in the process runs one script:
/// the entry if it landed meanwhile, else a lease (SET NX PX) if nobody holds one. The lease holder renders; requests
/// in its process wait for the response it stores and get it without a Redis read. Other processes poll for the entry
/// (woken at once by a pub/sub message when a lease is released, every 100 ms otherwise) with one poller per process
/// and response. A response that is not stored ends the lease when its request completes, and waiters then render
/// their own. No wait outlasts the lease: a waiter that reaches it renders.
/// </summary>
internal sealed class StampedeProtection(RedisAutoExpiryCache cache, IHttpContextAccessor accessor, ILogger logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, StampedeLease> _leases = new(StringComparer.Ordinal);
    private readonly TimeSpan _lease = cache.CurrentOptions.OutputCacheLease;
    private readonly object _subscribeLock = new();
    private Task? _subscribed;

    /// <summary>
    /// Called after a miss on <paramref name="key"/>: the response to serve when one lands, or null when this request
    /// should render it.
    /// </summary>
    public async ValueTask<byte[]?> AfterMissAsync(string key, CancellationToken token)
    {
        // Only a request that may render, store and wait takes part: the middleware's own rules say which.
        if (_lease <= TimeSpan.Zero || accessor.HttpContext is not { } context
            || context.Features.Get<IOutputCacheFeature>()?.Context is not { AllowLocking: true, AllowCacheStorage: true })
        {
            return null;
        }

        var lease = new StampedeLease(key);
        var existing = _leases.GetOrAdd(key, lease);
        if (!ReferenceEquals(existing, lease))
        {
            return await WaitAsync(existing, token).ConfigureAwait(false);
        }

        try
        {
            await SubscribeAsync().ConfigureAwait(false);
            var owner = Guid.NewGuid().ToString("N");
            var (state, stored) = await cache.Store.LeaseStepAsync(key, owner, (long)_lease.TotalMilliseconds, token).ConfigureAwait(false);
            switch (state)
            {
                case LeaseState.Stored:
                    var response = cache.OpenReserved(key, stored);
                    End(lease, response);
                    return response;
                case LeaseState.Taken:
                    lease.Owner = owner;
                    context.Response.OnCompleted(static state =>
                    {
                        var (self, held) = ((StampedeProtection, StampedeLease))state;
                        return self.AbandonAsync(held);
                    }, (this, lease));
                    return null;
                default:
                    _ = PollAsync(lease);
                    return await WaitAsync(lease, token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (RedisFailure.Is(exception))
        {
            // Without Redis there is nothing to wait for: every local request for the response renders it.
            Log.StampedeLeaseFailed(logger, key, exception);
            End(lease, null);
            return null;
        }
    }

    /// <summary>Called once a response is stored: local waiters get it at once; a lease held here is released.</summary>
    public async ValueTask AfterStoreAsync(string key, byte[] response)
    {
        if (!_leases.TryGetValue(key, out var lease) || !End(lease, response) || lease.Owner is not { } owner)
        {
            return;
        }

        await ReleaseAsync(lease, owner).ConfigureAwait(false);
    }

    // The rendering request completed without storing: waiters everywhere stop waiting and render their own.
    private async Task AbandonAsync(StampedeLease lease)
    {
        if (End(lease, null))
        {
            await ReleaseAsync(lease, lease.Owner!).ConfigureAwait(false);
        }
    }

    private async Task ReleaseAsync(StampedeLease lease, string owner)
    {
        try
        {
            await cache.Store.ReleaseLeaseAsync(lease.Key, owner).ConfigureAwait(false);
        }
        catch (Exception exception) when (RedisFailure.Is(exception))
        {
            // The lease expires by itself; until then other instances' waiters poll and find the entry, or time out.
            Log.StampedeLeaseFailed(logger, lease.Key, exception);
        }
    }

    private async Task<byte[]?> WaitAsync(StampedeLease lease, CancellationToken token)
    {
        try
        {
            return await lease.Outcome.WaitAsync(_lease, token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null; // the holder is slower than its lease: render rather than wait on
        }
    }

    // One poller per process and response, whichever request started it, so no request's cancellation stops it.
    private async Task PollAsync(StampedeLease lease)
    {
        var deadline = DateTime.UtcNow + _lease;
        try
        {
            while (!lease.Outcome.IsCompleted)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    End(lease, null);
                    return;
                }

                await lease.WaitForWakeAsync(left < PollInterval ? left : PollInterval).ConfigureAwait(false);
                var (state, stored) = await cache.Store.LeaseStepAsync(lease.Key, owner: null, 0, CancellationToken.None).ConfigureAwait(false);
                if (state != LeaseState.Held)
                {
                    End(lease, state == LeaseState.Stored ? cache.OpenReserved(lease.Key, stored) : null);
                    return;
                }
            }
        }
        catch (Exception exception)
        {
            Log.StampedeLeaseFailed(logger, lease.Key, exception);
            End(lease, null);
        }
    }

    // Finishes the lease's wait and forgets it, so the next miss starts afresh.
    private bool End(StampedeLease lease, byte[]? response)
    {
        var ended = lease.Finish(response);
        _leases.TryRemove(new KeyValuePair<string, StampedeLease>(lease.Key, lease));
        return ended;
    }

    // Subscribed before the first lease step, so no release is announced between the step and the subscription. A
    // failed subscription is logged and tried again on the next miss; meanwhile waiters poll.
    private Task SubscribeAsync()
    {
        lock (_subscribeLock)
        {
            return _subscribed ??= SubscribeCoreAsync();
        }
    }

    private async Task SubscribeCoreAsync()
    {
        try
        {
            await cache.Store.SubscribeToLeasesAsync(key =>
            {
                if (_leases.TryGetValue(key, out var lease))
                {
                    lease.Wake();
                }
            }).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Log.StampedeSubscribeFailed(logger, exception);
            lock (_subscribeLock)
            {
                _subscribed = null;
            }
        }
    }
}
