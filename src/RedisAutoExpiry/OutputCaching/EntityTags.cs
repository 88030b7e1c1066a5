namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// ETags for stored responses. The body is not known when the ETag must be set (before the action writes), so it is a
/// random 122-bit value: each stored response, on every host, gets its own, and an evicted one never matches again.
/// </summary>
internal static class EntityTags
{
    public static string Create() => $"\"{Guid.NewGuid():N}\"";
}
