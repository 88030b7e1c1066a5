using Microsoft.Extensions.Logging;

namespace RedisAutoExpiry.Tests.Infrastructure;

/// <summary>Keeps every log entry so tests can assert on the warnings the cache gives operators.</summary>
public sealed class CapturingLogger : ILogger<RedisAutoExpiryCache>
{
    private readonly List<(EventId Id, LogLevel Level, string Message)> _entries = [];
    private readonly List<string> _text = [];

    /// <summary>Everything logged as text: each message and, after it, its exception with inner exceptions and stacks.</summary>
    public string AllText
    {
        get
        {
            lock (_entries)
            {
                return string.Join("\n", _text);
            }
        }
    }

    public IReadOnlyList<(EventId Id, LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IReadOnlyList<string> MessagesOf(int eventId) => Entries.Where(e => e.Id.Id == eventId).Select(e => e.Message).ToList();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((eventId, logLevel, formatter(state, exception)));
            _text.Add($"{formatter(state, exception)} {exception}");
        }
    }
}
