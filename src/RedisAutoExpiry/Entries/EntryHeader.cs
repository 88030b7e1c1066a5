using System.Buffers.Binary;

namespace RedisAutoExpiry.Entries;

/// <summary>
/// The few bytes stored in front of every value: a marker, the format version, and what a sliding Get needs to
/// extend the entry (its window and, when it has one, its absolute cap as a Unix time in Redis's clock).
/// </summary>
/// <remarks>
/// Layout: <c>[0xAE][version:4 bits | flags:4 bits][sliding ms: int64 LE, if sliding][cap Unix ms: int64 LE, if capped]</c>.
/// Flags: 1 sliding, 2 capped, 4 protected (the value after the header is Data Protection ciphertext).
/// The cap of an entry whose cap is relative to now is written by the Set script from Redis's TIME, so no
/// app server's clock ever decides when an entry dies.
/// </remarks>
internal readonly struct EntryHeader
{
    internal const byte Marker = 0xAE;
    internal const byte CurrentVersion = 1;
    internal const int MinimumLength = 2;
    internal const int MaximumLength = 18;

    /// <summary>Unix milliseconds of <see cref="DateTimeOffset.MaxValue"/>: no cap lies beyond it.</summary>
    private const long MaximumUnixMilliseconds = 253_402_300_799_999;

    private const byte SlidingFlag = 0b01;
    private const byte CapFlag = 0b10;
    private const byte ProtectedFlag = 0b100;

    public EntryHeader(long slidingMilliseconds, bool hasCap, long capUnixMilliseconds = 0, bool isProtected = false)
    {
        SlidingMilliseconds = slidingMilliseconds;
        HasCap = hasCap;
        CapUnixMilliseconds = capUnixMilliseconds;
        IsProtected = isProtected;
    }

    /// <summary>Whether the value is Data Protection ciphertext (<see cref="RedisAutoExpiryCacheOptions.ProtectPayloads"/>).</summary>
    public bool IsProtected { get; }

    /// <summary>The sliding window in milliseconds; 0 when the entry does not slide.</summary>
    public long SlidingMilliseconds { get; }

    /// <summary>Whether a sliding entry also has an absolute cap (only sliding entries store one).</summary>
    public bool HasCap { get; }

    /// <summary>The cap as Unix milliseconds in Redis's clock; meaningful only when <see cref="HasCap"/>.</summary>
    public long CapUnixMilliseconds { get; }

    public bool IsSliding => SlidingMilliseconds > 0;

    public int Length => MinimumLength + (IsSliding ? 8 : 0) + (HasCap ? 8 : 0);

    /// <summary>Where the 8-byte cap sits, so the Set script can fill it in; -1 when there is none.</summary>
    public int CapOffset => HasCap ? MinimumLength + (IsSliding ? 8 : 0) : -1;

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = Marker;
        destination[1] = (byte)((CurrentVersion << 4) | (IsSliding ? SlidingFlag : 0) | (HasCap ? CapFlag : 0) | (IsProtected ? ProtectedFlag : 0));
        var position = MinimumLength;
        if (IsSliding)
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination[position..], SlidingMilliseconds);
            position += 8;
        }

        if (HasCap)
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination[position..], CapUnixMilliseconds);
        }
    }

    /// <summary>Whether a stored value has no header: it is not empty and does not start with the marker (see <see cref="StoredFormat"/>).</summary>
    public static bool IsBare(ReadOnlySpan<byte> stored) => stored.Length > 0 && stored[0] != Marker;

    /// <summary>Reads a header; false for anything not written by this format version (another program's value, a
    /// truncated value, a future version).</summary>
    public static bool TryRead(ReadOnlySpan<byte> stored, out EntryHeader header)
    {
        header = default;
        if (stored.Length < MinimumLength || stored[0] != Marker || stored[1] >> 4 != CurrentVersion)
        {
            return false;
        }

        var flags = stored[1] & 0x0F;
        if ((flags & ~(SlidingFlag | CapFlag | ProtectedFlag)) != 0 || (flags & (SlidingFlag | CapFlag)) == CapFlag)
        {
            return false;
        }

        var position = MinimumLength;
        long sliding = 0, cap = 0;
        if ((flags & SlidingFlag) != 0)
        {
            if (stored.Length < position + 8
                || (sliding = BinaryPrimitives.ReadInt64LittleEndian(stored[position..])) is <= 0 or > EntryExpiration.MaximumMilliseconds)
            {
                return false;
            }

            position += 8;
        }

        var hasCap = (flags & CapFlag) != 0;
        if (hasCap)
        {
            if (stored.Length < position + 8
                || (cap = BinaryPrimitives.ReadInt64LittleEndian(stored[position..])) is <= 0 or > MaximumUnixMilliseconds)
            {
                return false;
            }
        }

        header = new EntryHeader(sliding, hasCap, cap, (flags & ProtectedFlag) != 0);
        return true;
    }
}
