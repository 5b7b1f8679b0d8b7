namespace Ring;

/// <summary>A snapshot of one side's sleeps on its doorbell, for one queue pair.</summary>
public readonly struct SleepCounters
{
    internal SleepCounters(long sleeps, long wakeups, long timeouts, long spuriousWakeups)
    {
        Sleeps = sleeps;
        Wakeups = wakeups;
        Timeouts = timeouts;
        SpuriousWakeups = spuriousWakeups;
    }

    /// <summary>Sleeps entered (futex waits that began).</summary>
    public long Sleeps { get; }

    /// <summary>Sleeps ended by the peer's doorbell.</summary>
    public long Wakeups { get; }

    /// <summary>Sleeps ended by the timeout (after which the side re-checks its rings and its peer).</summary>
    public long Timeouts { get; }

    /// <summary>Wake-ups after which the next poll found nothing.</summary>
    public long SpuriousWakeups { get; }
}
