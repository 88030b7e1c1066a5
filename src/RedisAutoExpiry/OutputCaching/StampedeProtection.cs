using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
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
/// their own. Nobody waits past the lease's deadline, and a Redis failure (or a step slower than the lease) means no
/// waiting at all: the request renders.
/// </summary>
/// <remarks>
/// The middleware runs one lookup for all concurrent requests for a key, on the first one's context and token. So the
/// lease steps and waits take no request token (one client hanging up must not make the others render), and are
/// bounded by the lease instead.
/// </remarks>
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
    public async ValueTask<byte[]?> AfterMissAsync(string key)
    {
        // Only a request that may render, store and wait takes part: the middleware's own rules say which. A client
        // that accepts only a cached response gets a 504 at once and must not hold a lease for others.
        if (_lease <= TimeSpan.Zero || accessor.HttpContext is not { } context
            || context.Features.Get<IOutputCacheFeature>()?.Context is not { AllowLocking: true, AllowCacheStorage: true }
            || HeaderUtilities.ContainsCacheDirective(context.Request.Headers.CacheControl, CacheControlHeaderValue.OnlyIfCachedString))
        {
            return null;
        }

        var lease = new StampedeLease(key, DateTime.UtcNow + _lease);
        var existing = _leases.GetOrAdd(key, lease);
        if (!ReferenceEquals(existing, lease))
        {
            return await WaitAsync(existing).ConfigureAwait(false);
        }

        var owner = Guid.NewGuid().ToString("N");
        try
        {
            StartSubscription();
            var (state, stored) = await cache.Store.LeaseStepAsync(key, owner, (long)_lease.TotalMilliseconds)
                .Within(_lease).ConfigureAwait(false);
            switch (state)
            {
                case LeaseState.Stored:
                    var response = cache.OpenReserved(key, stored);
                    End(lease, response);
                    return response;
                case LeaseState.Foreign:
                    End(lease, null);
                    return null;
                case LeaseState.Taken:
                    lease.Owner = owner;
                    // The rendering request completed without storing: waiters everywhere stop waiting and render
                    // their own. (After a store, this finds the lease already ended and released.)
                    context.Response.OnCompleted(static state =>
                    {
                        var (self, held) = ((StampedeProtection, StampedeLease))state;
                        self.EndAndRelease(held, null);
                        return Task.CompletedTask;
                    }, (this, lease));
                    return null;
                default:
                    _ = PollAsync(lease);
                    return await WaitAsync(lease).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            // Without the lease there is nothing to wait for: every local request for the response renders it.
            Log.StampedeLeaseFailed(logger, key, exception);
            End(lease, null);
            if (exception is TimeoutException)
            {
                // A step that got no answer may still take the lease in Redis, and nobody here would end it: other
                // instances' requests would wait on it until it expires. Release whatever lease this owner holds (sent
                // after the step on the same connection; a no-op when it took none; best effort, as every release is).
                _ = ReleaseAsync(key, owner);
            }

            return null;
        }
    }

    /// <summary>Called once a response is stored: local waiters get it at once; a lease held here is released.</summary>
    public void AfterStore(string key, ReadOnlySequence<byte> response)
    {
        if (!_leases.TryGetValue(key, out var lease))
        {
            return; // nobody waits: no copy
        }

        EndAndRelease(lease, response.ToArray());
    }

    // Ends the local wait and, when this process holds the lease, releases it in Redis (once, whoever gets here first).
    private void EndAndRelease(StampedeLease lease, byte[]? response)
    {
        End(lease, response);
        if (lease.TryClaimRelease())
        {
            _ = ReleaseAsync(lease.Key, lease.Owner!);
        }
    }

    // Not awaited by the request that stored: its waiters here already have the response, and other instances poll.
    private async Task ReleaseAsync(string key, string owner)
    {
        try
        {
            await cache.Store.ReleaseLeaseAsync(key, owner).Within(_lease).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The lease expires by itself; until then other instances' waiters poll and find the entry, or time out.
            Log.StampedeLeaseFailed(logger, key, exception);
        }
    }

    private async Task<byte[]?> WaitAsync(StampedeLease lease)
    {
        var left = lease.Deadline - DateTime.UtcNow;
        try
        {
            return left > TimeSpan.Zero ? await lease.Outcome.WaitAsync(left).ConfigureAwait(false) : null;
        }
        catch (TimeoutException)
        {
            // The holder is slower than its lease: render rather than wait on, and let the next miss start afresh.
            End(lease, null);
            return null;
        }
    }

    // One poller per process and response, whichever request started it.
    private async Task PollAsync(StampedeLease lease)
    {
        try
        {
            while (!lease.Outcome.IsCompleted)
            {
                var left = lease.Deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    End(lease, null);
                    return;
                }

                await lease.WaitForWakeAsync(left < PollInterval ? left : PollInterval).ConfigureAwait(false);
                var (state, stored) = await cache.Store.LeaseStepAsync(lease.Key, owner: null, 0)
                    .Within(_lease).ConfigureAwait(false);
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
    private void End(StampedeLease lease, byte[]? response)
    {
        lease.Finish(response);
        _leases.TryRemove(new KeyValuePair<string, StampedeLease>(lease.Key, lease));
    }

    // Started before the first lease step and not awaited: until it is in place (or if it fails), waiters poll. A
    // failed subscription is logged and tried again on a later miss.
    private void StartSubscription()
    {
        lock (_subscribeLock)
        {
            _subscribed ??= SubscribeAsync();
        }
    }

    private async Task SubscribeAsync()
    {
        try
        {
            await cache.Store.SubscribeToLeasesAsync(key =>
            {
                if (_leases.TryGetValue(key, out var lease))
                {
                    lease.Wake();
                }
            }).Within(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
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
