namespace Ring.Layout;

/// <summary>
/// A queue pair's counters, in the region so that an observer (<c>bench stats</c>, a metrics exporter) can read a
/// running pair without touching it. Six blocks, one per writer: each of the four ring halves (the guest's
/// receiver and sender, the device's sender and receiver) and each side's sleeper. Every counter is a u64 written
/// only by its block's owner with an aligned 64-bit store, so a reader never sees a torn value; observers read
/// with acquire and need no other ordering (a counter is a statistic, not a synchronisation point). The blocks'
/// contents are <see cref="HalfCountersLayout"/> and <see cref="SleeperCountersLayout"/>.
/// </summary>
internal static class CountersLayout
{
    /// <summary>The guest's receiver: RX completions in, fill entries out.</summary>
    public const int GuestReceiverOffset = 0;
    /// <summary>The guest's sender: TX descriptors out, TX completions in.</summary>
    public const int GuestSenderOffset = GuestReceiverOffset + RegionLayout.BlockLength;
    /// <summary>The device's sender: fill entries in, RX completions out.</summary>
    public const int DeviceSenderOffset = GuestSenderOffset + RegionLayout.BlockLength;
    /// <summary>The device's receiver: TX descriptors in, TX completions out.</summary>
    public const int DeviceReceiverOffset = DeviceSenderOffset + RegionLayout.BlockLength;
    /// <summary>The guest's sleeper.</summary>
    public const int GuestSleeperOffset = DeviceReceiverOffset + RegionLayout.BlockLength;
    /// <summary>The device's sleeper.</summary>
    public const int DeviceSleeperOffset = GuestSleeperOffset + RegionLayout.BlockLength;
    /// <summary>Length of a queue pair's counters.</summary>
    public const int Length = DeviceSleeperOffset + RegionLayout.BlockLength;
}
