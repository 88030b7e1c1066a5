namespace RedisAutoExpiry.Benchmarks.Report;

/// <summary>One row of the targets table: what was measured, the figures, and whether the target holds.</summary>
internal sealed record TargetRow(string Id, string What, string Baseline, string Target, string Ours, string BaselineFigure, string Ratio, bool? Met)
{
    public string Verdict => Met switch { true => "**met**", false => "**missed**", null => "not measured" };
}
