namespace RedisAutoExpiry.Tagging;

/// <summary>What the start-up check of <c>notify-keyspace-events</c> found and did.</summary>
internal sealed record KeyspaceNotificationCheck(KeyspaceNotificationStatus Status, string Previous, string Current, string? Reason)
{
    public static KeyspaceNotificationCheck AlreadyOn(string current) => new(KeyspaceNotificationStatus.AlreadyOn, current, current, null);

    public static KeyspaceNotificationCheck Enabled(string previous, string current) => new(KeyspaceNotificationStatus.Enabled, previous, current, null);

    public static KeyspaceNotificationCheck Missing(string current, string missing) => new(KeyspaceNotificationStatus.Missing, current, current, missing);

    public static KeyspaceNotificationCheck Refused(string reason) => new(KeyspaceNotificationStatus.Refused, string.Empty, string.Empty, reason);
}
