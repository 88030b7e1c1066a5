using System.Buffers.Binary;
using System.Text;

namespace RedisAutoExpiry.Tagging;

/// <summary>
/// An entry's tag index as Redis stores it: a MessagePack array of its tags as strings, byte for byte what Lua's
/// <c>cmsgpack.pack</c> makes of the same list. The client packs it, so the write script neither builds nor packs a
/// Lua table, and can compare the old index with the new one as strings: when they are equal (an entry written again
/// with the same tags, the common case), it skips unpacking the old one.
/// </summary>
internal static class TagIndex
{
    /// <summary>Packs <paramref name="tags"/> (valid UTF-16, as tag validation guarantees) into one exact-size array.</summary>
    public static byte[] Pack(string[] tags)
    {
        var length = HeaderLength(tags.Length, smallLimit: 15);
        foreach (var tag in tags)
        {
            var bytes = Encoding.UTF8.GetByteCount(tag);
            length += StringHeaderLength(bytes) + bytes;
        }

        var packed = new byte[length];
        var position = WriteArrayHeader(packed, tags.Length);
        foreach (var tag in tags)
        {
            position += WriteStringHeader(packed.AsSpan(position), Encoding.UTF8.GetByteCount(tag));
            position += Encoding.UTF8.GetBytes(tag, packed.AsSpan(position));
        }

        return packed;
    }

    /// <summary>
    /// The tags of an index as <see cref="Pack"/> (or <c>cmsgpack.pack</c>) wrote it.
    /// </summary>
    /// <exception cref="FormatException">The bytes are not a MessagePack array of strings.</exception>
    public static string[] Unpack(ReadOnlySpan<byte> packed)
    {
        var position = 0;
        var count = ReadHeader(packed, ref position, fixMarker: 0x90, fixMask: 0x0f, marker16: 0xdc, marker8: null);
        if (count > packed.Length - position)
        {
            throw new FormatException("A tag index counts more tags than it has bytes."); // each tag takes a byte at least
        }

        var tags = new string[count];
        for (var i = 0; i < count; i++)
        {
            var length = ReadHeader(packed, ref position, fixMarker: 0xa0, fixMask: 0x1f, marker16: 0xda, marker8: 0xd9);
            if (length > packed.Length - position)
            {
                throw new FormatException("A tag index ends inside a tag.");
            }

            tags[i] = Encoding.UTF8.GetString(packed.Slice(position, length));
            position += length;
        }

        return tags;
    }

    // A fix form (marker in the high bits, length in fixMask), an 8-bit form (strings only), or the 16- and 32-bit
    // forms (marker16, marker16 + 1), lengths big-endian.
    private static int ReadHeader(ReadOnlySpan<byte> packed, ref int position, byte fixMarker, byte fixMask, byte marker16, byte? marker8)
    {
        if (position >= packed.Length)
        {
            throw new FormatException("A tag index ends early.");
        }

        var marker = packed[position];
        int length;
        if ((marker & ~fixMask) == fixMarker)
        {
            length = marker & fixMask;
            position += 1;
        }
        else if (marker == marker8 && position + 1 < packed.Length)
        {
            length = packed[position + 1];
            position += 2;
        }
        else if (marker == marker16 && position + 3 <= packed.Length)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(packed[(position + 1)..]);
            position += 3;
        }
        else if (marker == marker16 + 1 && position + 5 <= packed.Length)
        {
            var length32 = BinaryPrimitives.ReadUInt32BigEndian(packed[(position + 1)..]);
            length = length32 <= int.MaxValue ? (int)length32 : throw new FormatException("A tag index holds a length past 2 GB.");
            position += 5;
        }
        else
        {
            throw new FormatException($"A tag index holds 0x{marker:x2} where a header belongs.");
        }

        return length;
    }

    private static int HeaderLength(int count, int smallLimit) => count <= smallLimit ? 1 : count <= ushort.MaxValue ? 3 : 5;

    private static int StringHeaderLength(int bytes) => bytes < 32 ? 1 : bytes <= byte.MaxValue ? 2 : HeaderLength(bytes, smallLimit: -1);

    // fixarray (0x90 | n), array 16 (0xdc) or array 32 (0xdd), lengths big-endian.
    private static int WriteArrayHeader(Span<byte> destination, int count)
    {
        if (count <= 15)
        {
            destination[0] = (byte)(0x90 | count);
            return 1;
        }

        return WriteLength(destination, count, 0xdc);
    }

    // fixstr (0xa0 | n), str 8 (0xd9), str 16 (0xda) or str 32 (0xdb).
    private static int WriteStringHeader(Span<byte> destination, int bytes)
    {
        if (bytes < 32)
        {
            destination[0] = (byte)(0xa0 | bytes);
            return 1;
        }

        if (bytes <= byte.MaxValue)
        {
            destination[0] = 0xd9;
            destination[1] = (byte)bytes;
            return 2;
        }

        return WriteLength(destination, bytes, 0xda);
    }

    // The 16-bit form's marker, or the next one (its 32-bit form) when the length needs more.
    private static int WriteLength(Span<byte> destination, int length, byte marker16)
    {
        if (length <= ushort.MaxValue)
        {
            destination[0] = marker16;
            BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)length);
            return 3;
        }

        destination[0] = (byte)(marker16 + 1);
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
        return 5;
    }
}
