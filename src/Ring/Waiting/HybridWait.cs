using System.Diagnostics;
using Ring.Doorbells;

namespace Ring.Waiting;

/// <summary>
/// Hybrid: keep polling for a budget after the last work (NAPI busy-poll, Aeron's backoff), then sleep on the
/// doorbell. Work that arrives within the budget costs no system call and no wake-up latency.
/// </summary>
internal sealed class HybridWait(DoorbellSleeper sleeper, Func<bool> hasWork, TimeSpan pollBudget) : IIdleStrategy
{
    private readonly DoorbellWait _sleep = new(sleeper, hasWork);
    private readonly long _budgetTicks = (long)(pollBudget.TotalSeconds * Stopwatch.Frequency);
    private long _idleSince;

    /// <inheritdoc />
    public bool Idle(int workCount, TimeSpan maxSleep)
    {
        if (workCount != 0)
        {
            _idleSince = 0;
            return _sleep.Idle(workCount, maxSleep);
        }
        long now = Stopwatch.GetTimestamp();
        if (_idleSince == 0)
            _idleSince = now;
        if (now - _idleSince < _budgetTicks)
            return false;
        _idleSince = 0;
        return _sleep.Idle(0, maxSleep);
    }
}
