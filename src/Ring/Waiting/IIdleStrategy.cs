namespace Ring.Waiting;

/// <summary>
/// What a poll loop does after each poll, given how much work the poll found, as Agrona's idle strategies: the
/// loop does not know whether it busy-polls, sleeps on a doorbell, or both.
/// </summary>
internal interface IIdleStrategy
{
    /// <summary>Called after every poll. Returns whether it slept (the caller then checks on its peer). A sleep
    /// lasts at most <paramref name="maxSleep"/> (a paced sender's next send time).</summary>
    bool Idle(int workCount, TimeSpan maxSleep);
}
