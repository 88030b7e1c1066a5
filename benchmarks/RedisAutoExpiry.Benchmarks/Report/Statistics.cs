namespace RedisAutoExpiry.Benchmarks.Report;

/// <summary>The few statistics the verbs report: medians of runs and percentiles of latencies.</summary>
internal static class Statistics
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The value below which <paramref name="fraction"/> of the sorted values lie (nearest rank).</summary>
    public static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static int IntOption(string[] args, string name, int defaultValue) =>
        Option(args, name) is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : defaultValue;

    /// <summary>The word after <paramref name="name"/> on the command line, or null when it is not given.</summary>
    public static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
