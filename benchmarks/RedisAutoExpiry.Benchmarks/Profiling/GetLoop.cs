using System.Diagnostics;
using RedisAutoExpiry.Benchmarks.Report;

namespace RedisAutoExpiry.Benchmarks.Profiling;

/// <summary>
/// A target for a profiler: 64 callers Get one 1 KiB entry for a while, through the cache (or the raw client with
/// <c>--raw</c>), as P1 does, and prints the bytes allocated per call (<c>--allocations</c>: and by which types).
/// <code>dotnet-trace collect --profile cpu-sampling -- dotnet RedisAutoExpiry.Benchmarks.dll get-loop [--seconds 10] [--raw] [--callers 64] [--allocations]</code>
/// With Linux perf: <c>DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -g -- dotnet ...</c> (without
/// the second, JIT-compiled code shows as <c>memfd:doublemapper</c> with no names).
/// </summary>
internal static class GetLoop
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Statistics.IntOption(args, "--seconds", 10);
        var raw = args.Contains("--raw");
        var callers = Statistics.IntOption(args, "--callers", 64);
        using var sampler = args.Contains("--allocations") ? new AllocationSampler() : null;
        await using var redis = await RedisFixture.StartAsync();
        await redis.Cache.SetAsync("profile", new byte[1024], new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
        Func<Task> get = raw ? () => redis.Database.StringGetAsync("profile") : () => redis.Cache.GetAsync("profile");
        for (var i = 0; i < 10_000; i++)
        {
            await get(); // warm: the runtime's tiers, and the pools
        }

        sampler?.Start();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var end = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        long calls = 0;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                await get().ConfigureAwait(false);
                Interlocked.Increment(ref calls);
            }
        }));

        var bytesPerCall = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)calls;
        sampler?.Stop();
        Console.WriteLine($"{(raw ? "raw" : "cache")}: {calls / (double)seconds:N0} Gets/s, {bytesPerCall:N0} B allocated per call");
        sampler?.Print(bytesPerCall);
        return 0;
    }
}
