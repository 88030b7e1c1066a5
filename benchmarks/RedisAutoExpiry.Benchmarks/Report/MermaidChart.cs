using System.Globalization;
using System.Text;

namespace RedisAutoExpiry.Benchmarks.Report;

/// <summary>A Mermaid <c>xychart-beta</c> block (GitHub renders it): categories on x, bar and line series on y.</summary>
internal static class MermaidChart
{
    public static string Render(string title, string xTitle, IEnumerable<string> categories, string yTitle,
        IEnumerable<double>? bars = null, params IEnumerable<double>[] lines)
    {
        var text = new StringBuilder();
        text.AppendLine("```mermaid");
        text.AppendLine("xychart-beta");
        text.AppendLine($"    title \"{title}\"");
        text.AppendLine($"    x-axis \"{xTitle}\" [{string.Join(", ", categories.Select(c => $"\"{c}\""))}]");
        text.AppendLine($"    y-axis \"{yTitle}\"");
        if (bars is not null)
        {
            text.AppendLine($"    bar [{Numbers(bars)}]");
        }

        foreach (var line in lines)
        {
            text.AppendLine($"    line [{Numbers(line)}]");
        }

        text.AppendLine("```");
        return text.ToString();
    }

    private static string Numbers(IEnumerable<double> values) =>
        string.Join(", ", values.Select(v => double.IsFinite(v) ? v.ToString(v >= 100 ? "0" : "0.###", CultureInfo.InvariantCulture) : "0"));
}
