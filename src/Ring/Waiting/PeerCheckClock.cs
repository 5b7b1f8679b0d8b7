using System.Diagnostics;

namespace Ring.Waiting;

/// <summary>
/// Rate-limits peer checks from a poll loop without slowing it: every <see cref="PollsPerClockRead"/> idle polls it
/// reads the clock, and every <see cref="Interval"/> it says a check is due. A busy loop never reads the clock.
/// </summary>
internal sealed class PeerCheckClock
{
    /// <summary>How often the peer is checked while idle.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private const int PollsPerClockRead = 1024;
    private static readonly long IntervalTicks = (long)(Interval.TotalSeconds * Stopwatch.Frequency);

    private long _idlePolls;
    private long _lastCheck = Stopwatch.GetTimestamp();

    /// <summary>Whether an idle poll (or, with <paramref name="slept"/>, a sleep) makes a peer check due.</summary>
    public bool Due(bool slept = false)
    {
        if (!slept && ++_idlePolls % PollsPerClockRead != 0)
            return false;
        long now = Stopwatch.GetTimestamp();
        if (now - _lastCheck < IntervalTicks)
            return false;
        _lastCheck = now;
        return true;
    }
}
