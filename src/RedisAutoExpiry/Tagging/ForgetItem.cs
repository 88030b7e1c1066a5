namespace RedisAutoExpiry.Tagging;

/// <summary>
/// An entry whose tag sets may still name it though it is gone. Without <see cref="Index"/>, Redis expired or evicted
/// it and its stored index says which tag sets; with it, an eviction deleted it and its index, and returned the index
/// it read (packed as <see cref="TagIndex"/> packs it).
/// </summary>
internal readonly record struct ForgetItem(string Member, byte[]? Index);
