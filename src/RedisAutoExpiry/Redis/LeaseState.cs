namespace RedisAutoExpiry.Redis;

/// <summary>What a step of the stampede lease found (<see cref="RedisStore.LeaseStepAsync"/>).</summary>
internal enum LeaseState
{
    /// <summary>The entry is stored: serve it.</summary>
    Stored,

    /// <summary>The entry is missing and the caller now holds the lease: render it.</summary>
    Taken,

    /// <summary>The entry is missing and another holds the lease: wait for it.</summary>
    Held,

    /// <summary>The entry is missing and nobody holds the lease: its holder ended it without storing a response.</summary>
    Free,

    /// <summary>The entry's key holds another Redis type (another program's): render without a lease or a wait.</summary>
    Foreign,
}
