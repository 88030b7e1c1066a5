namespace RedisAutoExpiry.Eviction;

/// <summary>
/// The answer to <c>POST …/evictions</c>: the count per tag, in the order asked, and the total. An entry carrying
/// several of the tags is counted once, under the first tag that removed it.
/// </summary>
internal sealed record TagsEvicted(TagEvicted[] Tags, long Evicted);
