using System.Diagnostics;

namespace Ring.Harness.Traffic;

/// <summary>
/// Keeps a busy-poll loop honest without slowing it: counts idle polls and, about every
/// <see cref="CheckInterval"/>, runs a check on the peer (liveness, NEEDS_RESET) and fails the loop when no work
/// has been done for the stall timeout. Work resets the stall clock.
/// </summary>
public sealed class PeerWatch(Action checkPeer, TimeSpan stallTimeout, string waitingFor)
{
    /// <summary>How often the peer is checked while idle.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(100);

    private const int IdlePollsPerClockRead = 1024;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastWork;
    private long _lastCheck;
    private long _idlePolls;
    private bool _workedSinceClockRead;

    /// <summary>Records a poll that did work: one store, no clock read.</summary>
    public void Worked() => _workedSinceClockRead = true;

    /// <summary>Records a poll that found nothing. Every <see cref="IdlePollsPerClockRead"/> idle polls (and after
    /// every sleep, <paramref name="slept"/>) it reads the clock, and every <see cref="CheckInterval"/> it checks
    /// the peer and the stall timeout. Work seen since the last clock read counts as work at that read, so the
    /// stall clock is exact to one clock read, and a busy loop never reads the clock for it.</summary>
    public void Idle(bool slept = false)
    {
        if (!slept && ++_idlePolls % IdlePollsPerClockRead != 0)
            return;
        long now = _clock.ElapsedTicks;
        if (_workedSinceClockRead)
        {
            _workedSinceClockRead = false;
            _lastWork = now;
        }
        if (now - _lastCheck < CheckInterval.TotalSeconds * Stopwatch.Frequency)
            return;
        _lastCheck = now;
        checkPeer();
        if (now - _lastWork > stallTimeout.TotalSeconds * Stopwatch.Frequency)
            throw new RingException($"no progress for {stallTimeout.TotalSeconds:0.#} s waiting for {waitingFor}");
    }
}
