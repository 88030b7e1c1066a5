using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks.TagEviction;

/// <summary>
/// Redis's own record of how long each command ran on its main thread: the time every other client waited behind it.
/// Unlike a client-side timer it leaves out the network and the client, so it shows the longest single block.
/// </summary>
internal sealed class SlowLog
{
    private const int ThresholdMicroseconds = 100;
    private const int MaximumEntries = 100_000;

    private readonly IServer _server;
    private readonly IReadOnlyDictionary<string, string> _scripts;
    private readonly Dictionary<string, string> _scriptNames;

    /// <param name="server">Needs allowAdmin (CONFIG, SLOWLOG).</param>
    /// <param name="scripts">Scripts to name in the report, by name: EVALSHA is logged with the script's SHA1 only.</param>
    public SlowLog(IServer server, IReadOnlyDictionary<string, string> scripts)
    {
        _server = server;
        _scripts = scripts;
        _scriptNames = scripts.ToDictionary(script => Sha1(script.Value), script => script.Key, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Logs every command of 100 µs or more, from now on: called after populating, so the writes do not count.</summary>
    public async Task ResetAsync()
    {
        await _server.ConfigSetAsync("slowlog-log-slower-than", ThresholdMicroseconds);
        await _server.ConfigSetAsync("slowlog-max-len", MaximumEntries);
        await _server.SlowlogResetAsync();
    }

    public async Task<SlowLogSummary> ReadAsync()
    {
        // SLOWLOG RESET logs itself (freeing the previous run's entries takes a millisecond or two): not the eviction's.
        var entries = (await _server.SlowlogGetAsync(MaximumEntries))
            .Where(entry => !IsCommand(entry, "SLOWLOG"))
            .ToList();

        // Redis 7 also logs the commands a script calls (SSCAN, SREM, …) as entries of their own, each within its
        // script's time. The longest entry is therefore always a top-level command; counts look at scripts only.
        var scripts = entries.Where(entry => IsCommand(entry, "EVAL") || IsCommand(entry, "EVALSHA"))
            .Select(entry => entry.Duration.Ticks / 10)
            .Order()
            .ToList();
        var longest = entries.MaxBy(entry => entry.Duration.Ticks);

        // Redis time by script: how an eviction's cost splits between its pages and the cleanup after them.
        var byScript = entries.Where(entry => IsCommand(entry, "EVAL") || IsCommand(entry, "EVALSHA"))
            .GroupBy(entry => Describe(entry.Arguments))
            .Select(group => $"{group.Key} {group.Count()}x {group.Sum(entry => entry.Duration.Ticks) / 10_000.0:0} ms")
            .Order(StringComparer.Ordinal);
        return new SlowLogSummary(
            scripts.Count,
            longest is null ? 0 : longest.Duration.Ticks / 10,
            longest is null ? "-" : Describe(longest.Arguments),
            scripts.Count == 0 ? 0 : scripts[scripts.Count / 2],
            scripts.Count(microseconds => microseconds >= 10_000),
            string.Join(", ", byScript));
    }

    private static bool IsCommand(CommandTrace entry, string command) =>
        entry.Arguments.Length > 0 && string.Equals((string?)entry.Arguments[0], command, StringComparison.OrdinalIgnoreCase);

    // EVALSHA is named by its SHA1; EVAL carries the script text, which Redis truncates, named by the scripts it starts.
    private string Describe(RedisValue[] arguments)
    {
        var command = arguments.Length > 0 ? ((string?)arguments[0] ?? "?").ToUpperInvariant() : "?";
        var body = arguments.Length > 1 ? (string?)arguments[1] ?? string.Empty : string.Empty;
        if (command == "EVALSHA" && _scriptNames.TryGetValue(body, out var name))
        {
            return $"EVALSHA ({name})";
        }

        if (command == "EVAL")
        {
            var prefix = body.Length > 100 ? body[..100] : body;
            var names = _scripts.Where(script => prefix.Length > 0 && script.Value.StartsWith(prefix, StringComparison.Ordinal))
                .Select(script => script.Key).ToList();
            return names.Count > 0 ? $"EVAL ({string.Join(" or ", names)})" : command;
        }

        return command;
    }

    private static string Sha1(string script) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(script)));
}

/// <summary>
/// What SLOWLOG recorded: how many scripts ran (each eviction page is one, if it took 100 µs or more), the longest
/// command in µs and what it was, the median script in µs (a typical page, less at the mercy of a noisy machine than
/// the longest), how many scripts took 10 ms or more, and the Redis time of each script in all (null in results
/// written before it was recorded).
/// </summary>
internal readonly record struct SlowLogSummary(int Scripts, long MaxMicroseconds, string MaxCommand, long MedianScriptMicroseconds, int ScriptsOver10Milliseconds,
    string? ScriptTimes = null);
