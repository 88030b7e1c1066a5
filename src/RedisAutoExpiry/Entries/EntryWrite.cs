using System.Buffers;

namespace RedisAutoExpiry.Entries;

/// <summary>One Set, ready to send: the Redis key, the stored bytes (header then value) and the expiry.</summary>
internal sealed class EntryWrite
{
    private EntryWrite(string key, byte[] stored, EntryExpiration expiration, int capOffset)
    {
        Key = key;
        Stored = stored;
        Expiration = expiration;
        CapOffset = capOffset;
    }

    public string Key { get; }

    public byte[] Stored { get; }

    public EntryExpiration Expiration { get; }

    /// <summary>Where the Set script writes the cap it computes from Redis's clock; -1 for none.</summary>
    public int CapOffset { get; }

    public static EntryWrite Create(string key, ReadOnlySequence<byte> value, EntryExpiration expiration)
    {
        var header = new EntryHeader(expiration.SlidingMilliseconds, expiration.HasCap, expiration.AbsoluteUnixMilliseconds);

        // One exact-size array: the Redis client sends a value from a single byte[].
        var stored = GC.AllocateUninitializedArray<byte>(header.Length + checked((int)value.Length));
        header.WriteTo(stored);
        value.CopyTo(stored.AsSpan(header.Length));
        return new EntryWrite(key, stored, expiration, header.CapOffset);
    }
}
