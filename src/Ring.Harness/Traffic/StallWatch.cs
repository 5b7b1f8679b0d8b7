using System.Diagnostics;
using Ring.Harness.Hosting;

namespace Ring.Harness.Traffic;

/// <summary>
/// Fails a poll loop that has done no work for the stall timeout, without slowing a busy one: work is one store,
/// and the clock is read only every <see cref="IdlePollsPerClockRead"/> idle polls or after a sleep. (The peer
/// itself is checked by <see cref="QueuePair.Idle(int, TimeSpan)"/>; a stall is a peer that is alive but does
/// nothing, or an application that holds every buffer.)
/// </summary>
public sealed class StallWatch(TimeSpan stallTimeout, Func<string> waitingFor)
{
    private const int IdlePollsPerClockRead = 1024;

    private readonly long _timeoutTicks = (long)(stallTimeout.TotalSeconds * Stopwatch.Frequency);
    private long _lastWork = Stopwatch.GetTimestamp();
    private long _idlePolls;
    private bool _workedSinceClockRead;

    /// <summary>Records a poll that did work.</summary>
    public void Worked() => _workedSinceClockRead = true;

    /// <summary>Records a poll that found nothing (<paramref name="slept"/>: the idle strategy slept). Throws
    /// <see cref="RunFailedException"/> once no work has been done for the stall timeout.</summary>
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
        if (now - _lastWork > _timeoutTicks)
            throw new RunFailedException($"no progress for {stallTimeout.TotalSeconds:0.#} s waiting for {waitingFor()}");
    }
}
