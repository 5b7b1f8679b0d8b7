namespace Ring.Layout;

/// <summary>
/// A queue pair's counters, in the region so that an observer (<c>bench stats</c>, a metrics exporter) can read a
/// running pair without touching it. Six blocks, one per writer: each of the four ring halves (the guest's
/// receiver and sender, the device's sender and receiver) and each side's sleeper. Every counter is a u64 written
/// only by its block's owner with an aligned 64-bit store, so a reader never sees a torn value; observers read
/// with acquire and need no other ordering (a counter is a statistic, not a synchronisation point).
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

    // One half's block, 16 u64 counters.

    /// <summary>u64 packets moved: received by a receiver, sent by a sender.</summary>
    public const int PacketsOffset = 0;
    /// <summary>u64 bytes of those packets.</summary>
    public const int BytesOffset = PacketsOffset + sizeof(ulong);
    /// <summary>u64 entries of the packet ring (RX completion, TX) read by a receiver (good or dropped), or
    /// written by a sender.</summary>
    public const int PacketEntriesOffset = BytesOffset + sizeof(ulong);
    /// <summary>u64 entries of the buffer ring (fill, TX completion) written by a receiver (buffers given back)
    /// or read by a sender (buffers taken, good or dropped).</summary>
    public const int BufferEntriesOffset = PacketEntriesOffset + sizeof(ulong);
    /// <summary>u64 doorbells this half rang.</summary>
    public const int DoorbellsOffset = BufferEntriesOffset + sizeof(ulong);
    /// <summary>u64 rents that found no buffer: the peer had posted none, or the application holds them all.</summary>
    public const int StarvedOffset = DoorbellsOffset + sizeof(ulong);
    /// <summary>u64 buffers the application holds now (a gauge).</summary>
    public const int HeldOffset = StarvedOffset + sizeof(ulong);
    /// <summary>u64 drops by <see cref="DropReason"/>: <c>DropsOffset + 8 * (int)reason</c>.</summary>
    public const int DropsOffset = HeldOffset + sizeof(ulong);
    /// <summary>Drop reasons a block has room for.</summary>
    public const int DropSlots = (RegionLayout.BlockLength - DropsOffset) / sizeof(ulong);

    // A sleeper's block.

    /// <summary>u64 sleeps entered (futex waits that began).</summary>
    public const int SleepsOffset = 0;
    /// <summary>u64 sleeps ended by the peer's doorbell.</summary>
    public const int WakeupsOffset = SleepsOffset + sizeof(ulong);
    /// <summary>u64 sleeps ended by the timeout.</summary>
    public const int TimeoutsOffset = WakeupsOffset + sizeof(ulong);
    /// <summary>u64 wake-ups after which the next poll found nothing.</summary>
    public const int SpuriousWakeupsOffset = TimeoutsOffset + sizeof(ulong);
}
