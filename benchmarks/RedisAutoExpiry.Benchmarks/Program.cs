using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/RedisAutoExpiry.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
