namespace Ring.Waiting;

/// <summary>Busy-poll: never sleeps, makes no system call. The loop spins straight into the next poll.</summary>
internal sealed class BusySpinWait : IIdleStrategy
{
    /// <inheritdoc />
    public bool Idle(int workCount, TimeSpan maxSleep) => false;
}
