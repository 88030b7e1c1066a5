namespace RedisAutoExpiry.Redis;

/// <summary>
/// A Get whose caller hands <see cref="RedisStore.GetAsync(string, Func{string, byte[], byte[]}, CancellationToken)"/>
/// the conversion of the stored bytes: the Redis key to read, the cache's own key, and the converter, which gets both
/// the key and the bytes so that it needs no closure per call.
/// </summary>
internal readonly record struct ConvertedGet(string Entry, string Key, Func<string, byte[]?, byte[]?> Convert);
