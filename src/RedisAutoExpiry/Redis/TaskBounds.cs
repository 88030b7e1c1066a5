namespace RedisAutoExpiry.Redis;

/// <summary>
/// Bounds the wait for a client task that takes no token (the client cancels nothing once queued). A wait given up on
/// leaves the task running; its failure is still observed, or it would surface as an unobserved task exception.
/// </summary>
internal static class TaskBounds
{
    public static Task<T> Within<T>(this Task<T> task, TimeSpan timeout, CancellationToken token = default)
    {
        ObserveIfAbandoned(task);
        return task.WaitAsync(timeout, token);
    }

    public static Task Within(this Task task, TimeSpan timeout)
    {
        ObserveIfAbandoned(task);
        return task.WaitAsync(timeout);
    }

    /// <summary>Observes a task's failure whenever it comes (or came), for a caller that may stop waiting for it.</summary>
    public static void ObserveIfAbandoned(Task task)
    {
        if (task.IsCompleted)
        {
            _ = task.Exception;
        }
        else
        {
            _ = task.ContinueWith(static command => _ = command.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
