namespace RedisAutoExpiry.Tagging;

/// <summary>The outcome of <see cref="KeyspaceNotificationCheck"/>.</summary>
internal enum KeyspaceNotificationStatus
{
    /// <summary>The server already publishes the events.</summary>
    AlreadyOn,

    /// <summary>The missing flags were added with CONFIG SET.</summary>
    Enabled,

    /// <summary>Flags are missing and the app asked us not to reconfigure the server.</summary>
    Missing,

    /// <summary>CONFIG was refused (no admin mode, ACLs, a managed server): the setting is unknown.</summary>
    Refused,
}
