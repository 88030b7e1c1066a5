namespace RedisAutoExpiry.Benchmarks.Report;

/// <summary>
/// One row of the targets table: what was measured, the figures, and whether the target holds. A verdict judged by
/// rounds whose middle half lies on both sides of the target is marked as such: the median fell on one side, but the
/// machine's noise could as well have put it on the other.
/// </summary>
internal sealed record TargetRow(string Id, string What, string Baseline, string Target, string Ours, string BaselineFigure, string Ratio, bool? Met,
    bool Straddles = false)
{
    public string Verdict => Met switch { true => "**met**", false => "**missed**", null => "not measured" } +
        (Straddles ? " (within the noise: the middle half of the rounds straddles the target)" : string.Empty);
}
