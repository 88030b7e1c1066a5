namespace RedisAutoExpiry.Testing;

/// <summary>Finds the redis-server binary: <c>REDIS_SERVER_PATH</c>, else the PATH.</summary>
public static class RedisServerLocator
{
    public const string InstallCommand = "sudo apt-get update && sudo apt-get install -y redis-server";

    public static string Find()
    {
        var configured = Environment.GetEnvironmentVariable("REDIS_SERVER_PATH");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new FileNotFoundException($"REDIS_SERVER_PATH points to '{configured}', which does not exist.");
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (directory.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (var candidate in new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "redis-server was not found on PATH (or in REDIS_SERVER_PATH). These tests run against a real Redis 7. " +
            $"Install it with: {InstallCommand}   (or run ./dev.sh test, which installs it).");
    }
}
