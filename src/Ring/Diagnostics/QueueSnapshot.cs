namespace Ring;

/// <summary>
/// One queue pair's counters at one moment, as both sides wrote them into the region: each ring half's
/// <see cref="PacketCounters"/> and each side's <see cref="SleepCounters"/>. The four rings' occupancy follows from
/// the halves that share each ring. The counters are read one by one, not as a consistent cut: an occupancy read
/// while packets move may be off by a burst.
/// </summary>
public sealed class QueueSnapshot
{
    internal QueueSnapshot(int index, PacketCounters guestReceiver, PacketCounters guestSender, PacketCounters deviceSender,
        PacketCounters deviceReceiver, SleepCounters guestSleeps, SleepCounters deviceSleeps)
    {
        Index = index;
        GuestReceiver = guestReceiver;
        GuestSender = guestSender;
        DeviceSender = deviceSender;
        DeviceReceiver = deviceReceiver;
        GuestSleeps = guestSleeps;
        DeviceSleeps = deviceSleeps;
    }

    /// <summary>The queue pair's number.</summary>
    public int Index { get; }

    /// <summary>The guest's reader: RX packets received, fill entries posted.</summary>
    public PacketCounters GuestReceiver { get; }

    /// <summary>The guest's writer: TX packets sent, TX completions taken back.</summary>
    public PacketCounters GuestSender { get; }

    /// <summary>The device's writer: RX packets sent, fill entries taken.</summary>
    public PacketCounters DeviceSender { get; }

    /// <summary>The device's reader: TX packets received, TX completions posted.</summary>
    public PacketCounters DeviceReceiver { get; }

    /// <summary>The guest's sleeps on its doorbell.</summary>
    public SleepCounters GuestSleeps { get; }

    /// <summary>The device's sleeps on its doorbell.</summary>
    public SleepCounters DeviceSleeps { get; }

    /// <summary>Free buffers the guest posted on the RX fill ring that the device has not taken yet.</summary>
    public long FillRingOccupancy => GuestReceiver.BufferEntries - DeviceSender.BufferEntries;

    /// <summary>RX completions the device posted that the guest has not received yet.</summary>
    public long RxCompletionRingOccupancy => DeviceSender.PacketEntries - GuestReceiver.PacketEntries;

    /// <summary>TX descriptors the guest posted that the device has not received yet.</summary>
    public long TxRingOccupancy => GuestSender.PacketEntries - DeviceReceiver.PacketEntries;

    /// <summary>TX completions the device posted that the guest has not taken back yet.</summary>
    public long TxCompletionRingOccupancy => DeviceReceiver.BufferEntries - GuestSender.BufferEntries;
}
