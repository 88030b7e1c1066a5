namespace RedisAutoExpiry.Eviction;

/// <summary>The answer to <c>DELETE …/entries?url=…</c>: the URL, the path tag it maps to, and how many responses went.</summary>
internal sealed record UrlEvicted(string Url, string Tag, long Evicted);
