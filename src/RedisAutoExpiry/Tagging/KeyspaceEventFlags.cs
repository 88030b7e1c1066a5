namespace RedisAutoExpiry.Tagging;

/// <summary>
/// The <c>notify-keyspace-events</c> flags the listener needs: <c>E</c> (keyevent channels), <c>x</c> (expired) and
/// <c>e</c> (evicted). <c>A</c> stands for <c>g$lshzxet</c>, so it includes x and e.
/// </summary>
internal static class KeyspaceEventFlags
{
    /// <summary>The needed flags <paramref name="current"/> lacks, in order; empty when none.</summary>
    public static string Missing(string current)
    {
        var all = current.Contains('A', StringComparison.Ordinal);
        var missing = string.Empty;
        if (!current.Contains('E', StringComparison.Ordinal))
        {
            missing += "E";
        }

        if (!all && !current.Contains('x', StringComparison.Ordinal))
        {
            missing += "x";
        }

        if (!all && !current.Contains('e', StringComparison.Ordinal))
        {
            missing += "e";
        }

        return missing;
    }
}
