using Ring.Doorbells;

namespace Ring.Waiting;

/// <summary>
/// Event-wait: as soon as a poll finds nothing, announce and sleep on the doorbell until the peer rings (or the
/// timeout passes, to re-check the rings and the peer). Many packets arrive per wake-up under load.
/// </summary>
internal sealed class DoorbellWait(DoorbellSleeper sleeper, Func<bool> hasWork) : IIdleStrategy
{
    /// <summary>Longest single sleep: after it the loop re-checks its rings and its peer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(10);

    /// <summary>Shortest sleep worth a system call; a shorter cap spins instead (the kernel's timer slack is 50 µs).</summary>
    public static readonly TimeSpan MinSleep = TimeSpan.FromMicroseconds(50);

    private bool _justWoken;

    /// <inheritdoc />
    public bool Idle(int workCount, TimeSpan maxSleep)
    {
        if (workCount != 0)
        {
            _justWoken = false;
            return false;
        }
        if (_justWoken)
            sleeper.CountSpuriousWakeup(); // the doorbell rang, yet the poll after it found nothing
        if (maxSleep < MinSleep)
            return false; // not worth a system call: spin into the next poll
        long wakeups = sleeper.Wakeups;
        bool slept = sleeper.Sleep(hasWork, maxSleep < Timeout ? maxSleep : Timeout);
        _justWoken = sleeper.Wakeups != wakeups;
        return slept;
    }
}
