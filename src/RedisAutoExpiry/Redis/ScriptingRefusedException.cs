namespace RedisAutoExpiry.Redis;

/// <summary>The server refuses Lua scripts; thrown at connect so the app's start fails with a message that says so.</summary>
internal sealed class ScriptingRefusedException(string message, Exception innerException)
    : InvalidOperationException(message, innerException);
