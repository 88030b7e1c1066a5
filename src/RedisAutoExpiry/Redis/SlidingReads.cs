namespace RedisAutoExpiry.Redis;

/// <summary>
/// Remembers which keys held a sliding entry when last read, and how many Gets of each are in flight in this process.
/// A Get of such a key that nobody else is reading reads and extends it in one script (<see cref="LuaScripts.GetSliding"/>):
/// one command, where a <c>GET</c> and the refresh sent after it are two, which a lone caller waits for in turn. Gets
/// that overlap stay plain <c>GET</c>s sharing one coalesced refresh (<see cref="SlidingRefreshes"/>), because a script
/// per Get would cost a hot entry's readers more than one refresh per round trip.
/// </summary>
/// <remarks>
/// A fixed table of slots, each holding one key's hash code and a count of Gets in flight, so lookups neither lock
/// nor allocate and the table never grows. Two keys may share a slot, and a key may lose its slot to another: either
/// way only the choice of command changes, never the outcome, since the script extends only an entry whose own
/// header says it slides, and a plain <c>GET</c> of a sliding entry still sends its refresh.
/// </remarks>
internal sealed class SlidingReads
{
    private const int Slots = 1024;

    private readonly int[] _hashes = new int[Slots]; // 0: empty
    private readonly int[] _inFlight = new int[Slots];

    /// <summary>Starts a Get of <paramref name="key"/>. Pass the result to <see cref="End"/> once the Get is done.</summary>
    public SlidingRead Begin(string key)
    {
        var hash = HashOf(key);
        var slot = hash & (Slots - 1);
        if (Volatile.Read(ref _hashes[slot]) != hash)
        {
            return default;
        }

        return new SlidingRead(hash, slot, Extends: Interlocked.Increment(ref _inFlight[slot]) == 1);
    }

    public void End(SlidingRead read)
    {
        if (read.Known)
        {
            Interlocked.Decrement(ref _inFlight[read.Slot]);
        }
    }

    /// <summary>A Get found a sliding entry under <paramref name="key"/>.</summary>
    public void Learn(string key)
    {
        var hash = HashOf(key);
        Volatile.Write(ref _hashes[hash & (Slots - 1)], hash);
    }

    /// <summary>A Get of a known key found no sliding entry: its next Gets are plain ones.</summary>
    public void Forget(SlidingRead read)
    {
        if (read.Known)
        {
            Interlocked.CompareExchange(ref _hashes[read.Slot], 0, read.Hash);
        }
    }

    // The process's randomized string hash: stable for the cache's lifetime, and no key can be chosen to collide.
    private static int HashOf(string key) => key.GetHashCode() is var hash && hash != 0 ? hash : 1;
}
