namespace RedisAutoExpiry.Tagging;

/// <summary>Checks the tags of one Set and reduces them to distinct strings, before anything is sent.</summary>
internal static class TagList
{
    public static string[] Validate(IEnumerable<string> tags, RedisAutoExpiryTagOptions options)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            ValidateOne(tag, options, nameof(tags));
            if (distinct.Add(tag) && distinct.Count > options.MaximumTagsPerEntry)
            {
                throw new ArgumentException(
                    $"An entry may carry at most {options.MaximumTagsPerEntry} distinct tags (RedisAutoExpiryTagOptions.MaximumTagsPerEntry). Nothing was written.",
                    nameof(tags));
            }
        }

        return [.. distinct];
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a tag that cannot be stored exactly.</summary>
    public static void ValidateOne(string tag, RedisAutoExpiryTagOptions options, string parameterName)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            throw new ArgumentException("A tag must not be null, empty or whitespace.", parameterName);
        }

        if (tag.Length > options.MaximumTagLength)
        {
            throw new ArgumentException(
                $"A tag may be at most {options.MaximumTagLength} characters (RedisAutoExpiryTagOptions.MaximumTagLength); one has {tag.Length}.",
                parameterName);
        }

        // Redis holds UTF-8; a lone surrogate would be sent as U+FFFD, so two different tags would share one set.
        for (var i = 0; i < tag.Length; i++)
        {
            if (char.IsHighSurrogate(tag[i]) && i + 1 < tag.Length && char.IsLowSurrogate(tag[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(tag[i]))
            {
                throw new ArgumentException("A tag must be valid UTF-16: it has an unpaired surrogate character.", parameterName);
            }
        }
    }
}
