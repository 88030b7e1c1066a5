using BenchmarkDotNet.Running;
using RedisAutoExpiry.Benchmarks.OutputCache;
using RedisAutoExpiry.Benchmarks.Report;
using RedisAutoExpiry.Benchmarks.Scaling;
using RedisAutoExpiry.Benchmarks.SideBySide;
using RedisAutoExpiry.Benchmarks.TagHygiene;
using RedisAutoExpiry.Benchmarks.TagEviction;
using RedisAutoExpiry.Benchmarks.TagMemory;

// dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- tag-eviction
// dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- tag-memory | tag-hygiene | scaling | side-by-side
// benchmarks/run-all.sh        (everything, then the report verb writes docs/performance.md)
// benchmarks/output-cache.sh   (starts this program's output-cache-server verb twice and drives it with wrk)
// These measure a distribution or a size, not a mean time, so they are not BenchmarkDotNet's and get verbs of their own.
if (args is ["tag-eviction", .. var rest])
{
    return await TagEvictionBenchmark.RunAsync(rest);
}

if (args is ["output-cache-server", .. var serverArgs])
{
    return await OutputCacheServer.RunAsync(serverArgs);
}

if (args is ["tag-memory", .. var memoryArgs])
{
    return await TagMemoryBenchmark.RunAsync(memoryArgs);
}

if (args is ["tag-hygiene", .. var hygieneArgs])
{
    return await TagHygieneBenchmark.RunAsync(hygieneArgs);
}

if (args is ["scaling", .. var scalingArgs])
{
    return await ScalingBenchmark.RunAsync(scalingArgs);
}

if (args is ["get-loop", .. var loopArgs])
{
    return await RedisAutoExpiry.Benchmarks.Profiling.GetLoop.RunAsync(loopArgs);
}

if (args is ["get-path", .. var pathArgs])
{
    return await RedisAutoExpiry.Benchmarks.Profiling.GetPathBreakdown.RunAsync(pathArgs);
}

if (args is ["sliding-path", .. var slidingArgs])
{
    return await RedisAutoExpiry.Benchmarks.Profiling.SlidingPathBreakdown.RunAsync(slidingArgs);
}

if (args is ["side-by-side", .. var sideArgs])
{
    return await SideBySideBenchmark.RunAsync(sideArgs);
}

if (args is ["report", .. var reportArgs])
{
    return PerformanceReport.Write(reportArgs);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
