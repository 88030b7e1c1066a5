using System.Text.Json;

namespace RedisAutoExpiry.Benchmarks.Report;

/// <summary>Where a verb leaves its figures for the report (<c>--json path</c>), and how the report reads them back.</summary>
internal static class ResultFile
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static async Task WriteAsync<T>(string[] args, T result)
    {
        var index = Array.IndexOf(args, "--json");
        if (index >= 0 && index + 1 < args.Length)
        {
            await File.WriteAllTextAsync(args[index + 1], JsonSerializer.Serialize(result, Options));
        }
    }

    public static T? Read<T>(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) : default;
}
