using System.Diagnostics;
using System.Runtime.InteropServices;
using StackExchange.Redis;

namespace RedisAutoExpiry.Benchmarks.TagEviction;

/// <summary>
/// A reader that sends one GET per millisecond on a fixed schedule, on its own thread and its own multiplexer, without
/// waiting for replies. Each read's latency is measured from when it was meant to be sent, not from when it was sent:
/// a reader that waited for each reply would send nothing while Redis is blocked and so never see the stall
/// (coordinated omission).
/// </summary>
internal sealed class FixedScheduleReader
{
    private static readonly long Period = Stopwatch.Frequency / 1000;

    // Waits longer than this sleep in the kernel (usleep) rather than spin: with 2 cores, a spinning reader would take
    // a whole core from redis-server and the evicting client and distort what it measures.
    private static readonly long SleepAbove = Stopwatch.Frequency / 2500; // 400 µs
    private static readonly long SleepMargin = Stopwatch.Frequency / 4000; // wake 250 µs early: usleep overshoots

    private readonly IDatabase _database;
    private readonly RedisKey _key;
    private readonly long[] _completed;
    private readonly bool[] _failed;
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _start;
    private int _issued;
    private int _pending;

    /// <param name="database">A database on a multiplexer nothing else uses.</param>
    /// <param name="key">An existing key that the measured work does not touch.</param>
    /// <param name="capacity">Most reads (milliseconds) one measurement may last.</param>
    public FixedScheduleReader(IDatabase database, RedisKey key, int capacity = 120_000)
    {
        _database = database;
        _key = key;
        _completed = new long[capacity];
        _failed = new bool[capacity];
        _thread = new Thread(Run) { IsBackground = true, Name = "fixed-schedule reader" };
    }

    public void Start()
    {
        _start = Stopwatch.GetTimestamp() + Period;
        _thread.Start();
    }

    /// <summary>Stops sending and waits (up to 10 s) for the replies still outstanding.</summary>
    public async Task StopAsync()
    {
        _stop = true;
        _thread.Join();
        var deadline = Stopwatch.GetTimestamp() + 10 * Stopwatch.Frequency;
        while (Volatile.Read(ref _pending) > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(5);
        }
    }

    /// <summary>Latency of the reads meant to be sent between two <see cref="Stopwatch"/> timestamps.</summary>
    public LatencySummary Summarize(long from, long to)
    {
        var latencies = new List<double>();
        var failed = 0;
        var unanswered = 0;
        var issued = Volatile.Read(ref _issued);
        for (var k = 0; k < issued; k++)
        {
            var intended = _start + k * Period;
            if (intended < from || intended > to)
            {
                continue;
            }

            var completed = Volatile.Read(ref _completed[k]);
            if (completed == 0)
            {
                unanswered++;
            }
            else if (_failed[k])
            {
                failed++;
            }
            else
            {
                latencies.Add(Stopwatch.GetElapsedTime(intended, completed).TotalMilliseconds);
            }
        }

        return LatencySummary.From(latencies, failed + unanswered);
    }

    private void Run()
    {
        for (var k = 0; k < _completed.Length && !_stop; k++)
        {
            var intended = _start + k * Period;
            WaitUntil(intended);
            Interlocked.Increment(ref _pending);
            var index = k;
            _database.StringGetAsync(_key).ContinueWith(
                read =>
                {
                    // Timestamp first: anything done before it would count as Redis latency.
                    var now = Stopwatch.GetTimestamp();
                    _failed[index] = !read.IsCompletedSuccessfully;
                    Volatile.Write(ref _completed[index], now);
                    Interlocked.Decrement(ref _pending);
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            Volatile.Write(ref _issued, k + 1);
        }
    }

    // Task.Delay and Thread.Sleep(1) cannot hit a 1 ms schedule (≥ 1 ms granularity); usleep gets within ~100 µs,
    // and the last stretch is spun.
    private static void WaitUntil(long timestamp)
    {
        while (true)
        {
            var remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            if (remaining > SleepAbove && OperatingSystem.IsLinux())
            {
                _ = NativeMethods.usleep((uint)((remaining - SleepMargin) * 1_000_000 / Stopwatch.Frequency));
            }
            else
            {
                Thread.SpinWait(20);
            }
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", ExactSpelling = true)]
        public static extern int usleep(uint microseconds);
    }
}

/// <summary>Reader latency over one window, in milliseconds; <see cref="Failed"/> counts errors and unanswered reads.</summary>
internal readonly record struct LatencySummary(int Count, double P50, double P99, double Max, int Failed)
{
    public static LatencySummary From(List<double> latencies, int failed)
    {
        if (latencies.Count == 0)
        {
            return new LatencySummary(0, double.NaN, double.NaN, double.NaN, failed);
        }

        latencies.Sort();
        return new LatencySummary(latencies.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies[^1], failed);
    }

    // Nearest rank: the smallest sample with at least p of the samples at or below it.
    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
