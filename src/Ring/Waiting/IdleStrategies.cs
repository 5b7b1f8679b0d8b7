using Ring.Doorbells;

namespace Ring.Waiting;

/// <summary>Builds the idle strategy for a <see cref="WaitMode"/>.</summary>
internal static class IdleStrategies
{
    /// <summary>The strategy for <paramref name="mode"/>, sleeping (if it does) on <paramref name="sleeper"/> after
    /// <paramref name="hasWork"/> re-checks this side's rings.</summary>
    public static IIdleStrategy Create(WaitMode mode, DoorbellSleeper sleeper, Func<bool> hasWork, TimeSpan pollBudget) => mode switch
    {
        WaitMode.Poll => new BusySpinWait(),
        WaitMode.Event => new DoorbellWait(sleeper, hasWork),
        _ => new HybridWait(sleeper, hasWork, pollBudget),
    };
}
