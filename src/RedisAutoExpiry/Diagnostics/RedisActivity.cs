using System.Diagnostics;

namespace RedisAutoExpiry.Diagnostics;

/// <summary>The <see cref="RedisAutoExpiryDiagnostics.ActivitySourceName"/> source: one client span per Redis call.</summary>
internal static class RedisActivity
{
    private static readonly ActivitySource Source = new(RedisAutoExpiryDiagnostics.ActivitySourceName);

    /// <summary>Starts a span for a call, or returns null (at the cost of one check) when nobody listens.</summary>
    public static Activity? Start(RedisOperation operation)
    {
        if (!Source.HasListeners() || Source.StartActivity(operation.Name, ActivityKind.Client) is not { } activity)
        {
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag("db.system.name", "redis");
            activity.SetTag("db.operation.name", operation.Command);
            activity.SetTag(operation.Tag.Key, operation.Name);
        }

        return activity;
    }

    public static void Fail(Activity? activity, string errorType)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, errorType);
            activity.SetTag("error.type", errorType);
        }
    }
}
