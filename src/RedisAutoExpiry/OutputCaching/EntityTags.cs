namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// ETags for stored responses. The body is not known when the ETag must be set (before the action writes), so it is a
/// random 128-bit value: each stored response, on every host, gets its own, and an evicted one never matches again.
/// </summary>
/// <remarks>
/// Every cacheable request gets one before the lookup (hits included, which then drop it), so it must be cheap:
/// <see cref="Random.Shared"/> rather than <see cref="Guid.NewGuid"/>, whose system call cost a few percent of a hit's
/// throughput. An ETag needs to be unique, not secret.
/// </remarks>
internal static class EntityTags
{
    public static string Create() => string.Create(34, 0, static (chars, _) =>
    {
        chars[0] = '"';
        chars[33] = '"';
        Span<byte> random = stackalloc byte[16];
        Random.Shared.NextBytes(random);
        Convert.TryToHexStringLower(random, chars[1..33], out _);
    });
}
