namespace Ring.Layout;

/// <summary>One side's sleeper block (<see cref="CountersLayout"/>), written only by the thread that sleeps.</summary>
internal static class SleeperCountersLayout
{
    /// <summary>u64 sleeps entered (futex waits that began).</summary>
    public const int SleepsOffset = 0;
    /// <summary>u64 sleeps ended by the peer's doorbell.</summary>
    public const int WakeupsOffset = SleepsOffset + sizeof(ulong);
    /// <summary>u64 sleeps ended by the timeout.</summary>
    public const int TimeoutsOffset = WakeupsOffset + sizeof(ulong);
    /// <summary>u64 wake-ups after which the next poll found nothing.</summary>
    public const int SpuriousWakeupsOffset = TimeoutsOffset + sizeof(ulong);
}
