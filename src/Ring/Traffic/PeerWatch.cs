using System.Diagnostics;

namespace Ring.Traffic;

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

    /// <summary>Records a poll that did work.</summary>
    public void Worked() => _idlePolls = 0;

    /// <summary>Records a poll that found nothing; every so often (and after every sleep, <paramref name="slept"/>)
    /// checks the peer and the stall timeout.</summary>
    public void Idle(bool slept = false)
    {
        _idlePolls++;
        if (!slept && _idlePolls != 1 && _idlePolls % IdlePollsPerClockRead != 0)
            return;
        long now = _clock.ElapsedTicks;
        if (_idlePolls == 1)
            _lastWork = now; // first idle poll after work: the stall clock starts here
        if (now - _lastCheck < CheckInterval.TotalSeconds * Stopwatch.Frequency)
            return;
        _lastCheck = now;
        checkPeer();
        if (now - _lastWork > stallTimeout.TotalSeconds * Stopwatch.Frequency)
            throw new RingException($"no progress for {stallTimeout.TotalSeconds:0.#} s waiting for {waitingFor}");
    }
}
