namespace RedisAutoExpiry.Benchmarks.TagHygiene;

/// <summary>
/// One run: from the moment the last entry's TTL ran out, how long until Redis had expired every entry, and until no
/// tag set held a member (or an index remained); the stale members left 5 s after that moment.
/// </summary>
internal sealed record TagHygieneResult(int Run, int Entries, double EntriesGoneSeconds, double CleanSeconds, long StaleAtFiveSeconds);
