using System.Diagnostics;
using Ring.Harness.Hosting;

namespace Ring.Harness.Traffic;

/// <summary>
/// Watches a poll loop for stalls without slowing a busy one (work is one store; the clock is read only every
/// <see cref="IdlePollsPerClockRead"/> idle polls or after a sleep). A stall is no work for the stall timeout while
/// the peer is still attached: a peer stopped by SIGSTOP, held in a debugger or in a long GC pause, or an application
/// that holds every buffer. A pause is not a death (the kernel tells a death through the control channel, and
/// <see cref="QueuePair.Idle(int, TimeSpan)"/> reports it), so a stall is reported once, as one line, and waited
/// out; the line when work resumes says how long it lasted. Only past the stall limit, when one is set, does the
/// loop give up.
/// </summary>
public sealed class StallWatch(TimeSpan stallTimeout, TimeSpan stallLimit, Func<string> waitingFor, TextWriter report)
{
    private const int IdlePollsPerClockRead = 1024;

    private readonly long _timeoutTicks = (long)(stallTimeout.TotalSeconds * Stopwatch.Frequency);
    private readonly long _limitTicks = stallLimit == TimeSpan.Zero ? long.MaxValue : (long)(stallLimit.TotalSeconds * Stopwatch.Frequency);
    private long _lastWork = Stopwatch.GetTimestamp();
    private long _idlePolls;
    private bool _workedSinceClockRead;
    private bool _stalled;

    /// <summary>Stalls reported.</summary>
    public int Stalls { get; private set; }

    /// <summary>Records a poll that did work (and, after a stall, says it is over).</summary>
    public void Worked()
    {
        _workedSinceClockRead = true;
        if (_stalled)
            Resumed();
    }

    /// <summary>Records a poll that found nothing (<paramref name="slept"/>: the idle strategy slept). Says once when
    /// no work has been done for the stall timeout; throws <see cref="RunFailedException"/> past the stall limit.</summary>
    public void Idle(bool slept = false)
    {
        if (!slept && ++_idlePolls % IdlePollsPerClockRead != 0)
            return;
        long now = Stopwatch.GetTimestamp();
        if (_workedSinceClockRead)
        {
            _workedSinceClockRead = false;
            _lastWork = now;
        }
        long idle = now - _lastWork;
        if (idle > _limitTicks)
            throw new RunFailedException($"no progress for {Seconds(idle)} s waiting for {waitingFor()}: past --stall-limit");
        if (idle > _timeoutTicks && !_stalled)
        {
            _stalled = true;
            Stalls++;
            report.WriteLine($"stalled: no progress for {Seconds(idle)} s waiting for {waitingFor()}, which is still attached: waiting on (a pause is not a death)");
        }
    }

    private void Resumed()
    {
        _stalled = false;
        report.WriteLine($"resumed after {Seconds(Stopwatch.GetTimestamp() - _lastWork)} s");
        _lastWork = Stopwatch.GetTimestamp();
    }

    private static string Seconds(long ticks) =>
        (ticks / (double)Stopwatch.Frequency).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}
