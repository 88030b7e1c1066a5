namespace RedisAutoExpiry.Entries;

/// <summary>
/// Whether entries under a key space may be stored bare: the value alone, without an <see cref="EntryHeader"/>.
/// </summary>
/// <remarks>
/// A header says whether an entry slides and whether it is protected. A value it would say nothing about (not
/// sliding, not protected) that is not empty and does not start with the header's marker byte (0xAE) is stored bare,
/// so a Get returns the array the Redis client read, without copying the value out of it (StackExchange.Redis's
/// async Get hands back an array of its own). Any other value keeps its header, so the first byte tells the two apart.
/// The price: without ProtectPayloads, a string value another program writes under an entry's key is read as that
/// value unless it starts with the marker. Output cache entries keep their header: a foreign value there must stay a
/// miss.
/// </remarks>
internal enum StoredFormat
{
    WithHeader,
    BareOrWithHeader,
}
