using System.Globalization;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks;

/// <summary>
/// redis-server's CPU seconds so far (user + system, <c>INFO cpu</c>). Taken before and after a measured stretch, it
/// says how much of that stretch Redis itself was busy, which the hypervisor's steal inflates less than rates.
/// </summary>
internal static class RedisServerCpu
{
    public static async Task<double> SecondsAsync(IServer server) =>
        (await server.InfoAsync("cpu")).SelectMany(group => group)
            .Where(pair => pair.Key is "used_cpu_user" or "used_cpu_sys")
            .Sum(pair => double.Parse(pair.Value, CultureInfo.InvariantCulture));
}
