namespace RedisAutoExpiry.FaultTest;

/// <summary>A stretch of the run, in seconds since the start. An outage phase runs from the fault to Redis's return.</summary>
internal sealed record Phase(string Name, double Start, double End)
{
    public bool Contains(double time) => time >= Start && time < End;
}
