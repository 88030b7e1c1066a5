namespace RedisAutoExpiry.Tagging;

/// <summary>Checks the tags of one Set and reduces them to distinct strings, before anything is sent.</summary>
internal static class TagList
{
    /// <summary>The distinct tags of one entry, at most <see cref="RedisAutoExpiryTagOptions.MaximumTagsPerEntry"/>.</summary>
    public static string[] Validate(IEnumerable<string> tags, RedisAutoExpiryTagOptions options) =>
        Distinct(tags, options, options.MaximumTagsPerEntry);

    /// <summary>The distinct tags of an eviction: any number of them, each checked as an entry's would be.</summary>
    public static string[] Distinct(IEnumerable<string> tags, RedisAutoExpiryTagOptions options, int maximumCount = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (tags is ICollection<string> { Count: 0 })
        {
            return []; // an untagged Set: no set to build
        }

        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            ValidateOne(tag, options, nameof(tags));
            if (distinct.Add(tag) && distinct.Count > maximumCount)
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
        if (FindProblem(tag, options) is { } problem)
        {
            throw new ArgumentException(problem, parameterName);
        }
    }

    /// <summary>Whether <see cref="ValidateOne"/> would accept the tag: for tags built from request data.</summary>
    public static bool IsValid(string tag, RedisAutoExpiryTagOptions options) => FindProblem(tag, options) is null;

    /// <summary>Why a tag would be refused, in a sentence fit for an exception or a 400 response; null when it is valid.</summary>
    public static string? FindProblem(string? tag, RedisAutoExpiryTagOptions options)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            return "A tag must not be null, empty or whitespace.";
        }

        if (tag.Length > options.MaximumTagLength)
        {
            return $"A tag may be at most {options.MaximumTagLength} characters (RedisAutoExpiryTagOptions.MaximumTagLength); one has {tag.Length}.";
        }

        // Redis holds UTF-8; a lone surrogate would be sent as U+FFFD, so two different tags would share one set.
        if (!Entries.Utf16Text.IsWellFormed(tag))
        {
            return "A tag must be valid UTF-16: it has an unpaired surrogate character.";
        }

        return null;
    }
}
