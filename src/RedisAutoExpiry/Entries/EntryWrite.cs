using System.Buffers;
using Microsoft.AspNetCore.DataProtection;

namespace RedisAutoExpiry.Entries;

/// <summary>One Set, ready to send: the user's key, the stored bytes (header then value), the expiry and the tags.</summary>
internal sealed class EntryWrite
{
    private EntryWrite(string key, byte[] stored, EntryExpiration expiration, int capOffset, string[] tags)
    {
        Key = key;
        Tags = tags;
        Stored = stored;
        Expiration = expiration;
        CapOffset = capOffset;
    }

    /// <summary>The key as the caller gave it, without InstanceName.</summary>
    public string Key { get; }

    /// <summary>Distinct, validated tags; empty for an untagged entry (which then leaves any tag sets it was in).</summary>
    public string[] Tags { get; }

    public byte[] Stored { get; }

    public EntryExpiration Expiration { get; }

    /// <summary>Where the Set script writes the cap it computes from Redis's clock; -1 for none.</summary>
    public int CapOffset { get; }

    /// <summary>
    /// Builds the stored bytes; with a <paramref name="protector"/> the value is stored as its ciphertext. With
    /// <see cref="StoredFormat.BareOrWithHeader"/>, a value the header would say nothing about is stored bare (see <see cref="StoredFormat"/>).
    /// </summary>
    public static EntryWrite Create(string key, ReadOnlySequence<byte> value, EntryExpiration expiration, string[] tags, IDataProtector? protector = null,
        StoredFormat format = StoredFormat.WithHeader)
    {
        var header = new EntryHeader(expiration.SlidingMilliseconds, expiration.HasCap, expiration.AbsoluteUnixMilliseconds, protector is not null);
        if (protector is not null)
        {
            value = new ReadOnlySequence<byte>(protector.Protect(value.ToArray()));
        }

        if (format == StoredFormat.BareOrWithHeader && !header.IsSliding && !header.IsProtected && !value.IsEmpty && value.FirstSpan[0] != EntryHeader.Marker)
        {
            return new EntryWrite(key, value.ToArray(), expiration, -1, tags);
        }

        // One exact-size array: the Redis client sends a value from a single byte[].
        var stored = GC.AllocateUninitializedArray<byte>(header.Length + checked((int)value.Length));
        header.WriteTo(stored);
        value.CopyTo(stored.AsSpan(header.Length));
        return new EntryWrite(key, stored, expiration, header.CapOffset, tags);
    }
}
