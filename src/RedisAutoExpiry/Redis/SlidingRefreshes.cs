namespace RedisAutoExpiry.Redis;

/// <summary>
/// Coalesces the background refreshes of sliding entries: at most one per entry is in flight. A Get meanwhile only
/// records the header it read; when the refresh in flight completes, one more is sent with the latest header. So the
/// last refresh of an entry is always sent after its last Get (the TTL ends a window after it, as with one refresh per
/// Get), while a hot entry costs Redis one refresh script per round trip instead of one per Get.
/// </summary>
internal sealed class SlidingRefreshes(Func<string, byte[], Task> send)
{
    // In flight, nothing pending since it was sent.
    private static readonly byte[] NothingPending = [];

    // Entry key → the header of the latest Get since the refresh in flight was sent, or NothingPending.
    private readonly Dictionary<string, byte[]> _inFlight = new(StringComparer.Ordinal);

    public void Refresh(string redisKey, byte[] expectedHeader)
    {
        lock (_inFlight)
        {
            if (_inFlight.ContainsKey(redisKey))
            {
                _inFlight[redisKey] = expectedHeader;
                return;
            }

            _inFlight.Add(redisKey, NothingPending);
        }

        _ = SendAsync(redisKey, expectedHeader);
    }

    /// <summary>Entries with a refresh in flight (for tests).</summary>
    public int InFlight
    {
        get
        {
            lock (_inFlight)
            {
                return _inFlight.Count;
            }
        }
    }

    private async Task SendAsync(string redisKey, byte[] expectedHeader)
    {
        while (true)
        {
            try
            {
                await send(redisKey, expectedHeader).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // send logs its own failures. Whatever happened, the pending refresh must still go and the entry must
                // leave the map, or its later Gets would wait for a refresh that never completes.
            }

            lock (_inFlight)
            {
                var pending = _inFlight[redisKey];
                if (ReferenceEquals(pending, NothingPending))
                {
                    _inFlight.Remove(redisKey);
                    return;
                }

                _inFlight[redisKey] = NothingPending;
                expectedHeader = pending;
            }
        }
    }
}
