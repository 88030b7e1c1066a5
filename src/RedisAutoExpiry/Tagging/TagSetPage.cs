namespace RedisAutoExpiry.Tagging;

/// <summary>
/// What one page of an eviction or sweep did: the SSCAN cursor to go on from ("0" at the end), the entries or members
/// removed, the members visited, the work (a unit per member plus one per tag set it left), and the entries a deferred
/// eviction page deleted, with the other tag sets they are still in (empty otherwise).
/// </summary>
internal readonly record struct TagSetPage(string Cursor, long Count, long Members, long Work, ForgetItem[] Deferred);
