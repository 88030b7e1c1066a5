namespace RedisAutoExpiry.Entries;

/// <summary>
/// Keys and tags reach Redis as UTF-8, which cannot carry an unpaired surrogate: the client would send U+FFFD instead,
/// so two different strings would name one Redis key. Such strings are refused instead.
/// </summary>
internal static class Utf16Text
{
    /// <summary>Whether <paramref name="text"/> has no unpaired surrogate (and so round-trips through UTF-8 exactly).</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> text)
    {
        // Almost every key has no surrogate at all: one vectorized scan says so.
        var first = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
        {
            return true;
        }

        for (var i = first; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
