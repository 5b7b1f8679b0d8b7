namespace Ring;

/// <summary>A snapshot of one side's sleeps on its doorbell, for one queue pair.</summary>
/// <param name="Sleeps">Sleeps entered (futex waits that began).</param>
/// <param name="Wakeups">Sleeps ended by the peer's doorbell.</param>
/// <param name="Timeouts">Sleeps ended by the timeout (after which the side re-checks its rings and its peer).</param>
/// <param name="SpuriousWakeups">Wake-ups after which the next poll found nothing.</param>
public readonly record struct SleepCounters(long Sleeps, long Wakeups, long Timeouts, long SpuriousWakeups);
