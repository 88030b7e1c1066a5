using System.Globalization;

namespace WebApi;

/// <summary>The moment a response was generated, as the sample's bodies show it.</summary>
internal static class Timestamp
{
    /// <summary>
    /// Now, in UTC, as ISO 8601 with milliseconds (2025-01-31T09:15:02.123Z). Milliseconds, so two renders in one second
    /// differ; the invariant culture, because ':' in a custom format is the culture's time separator.
    /// </summary>
    public static string UtcNow() =>
        DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
