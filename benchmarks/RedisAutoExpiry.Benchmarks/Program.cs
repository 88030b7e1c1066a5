using BenchmarkDotNet.Running;
using RedisAutoExpiry.Benchmarks.TagEviction;

// dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- tag-eviction
// The tag eviction benchmark is not BenchmarkDotNet's (see TagEvictionBenchmark), so it gets its own verb.
if (args is ["tag-eviction", .. var rest])
{
    return await TagEvictionBenchmark.RunAsync(rest);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
