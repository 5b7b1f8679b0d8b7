namespace Ring;

/// <summary>
/// One queue pair's counters at one moment, as both sides wrote them into the region: each ring half's
/// <see cref="PacketCounters"/> and each side's <see cref="SleepCounters"/>. The four rings' occupancy follows from
/// the halves that share each ring. The counters are read one by one, not as a consistent cut: an occupancy read
/// while packets move may be off by a burst.
/// </summary>
/// <param name="Index">The queue pair's number.</param>
/// <param name="GuestReceiver">The guest's reader: RX packets received, fill entries posted.</param>
/// <param name="GuestSender">The guest's writer: TX packets sent, TX completions taken back.</param>
/// <param name="DeviceSender">The device's writer: RX packets sent, fill entries taken.</param>
/// <param name="DeviceReceiver">The device's reader: TX packets received, TX completions posted.</param>
/// <param name="GuestSleeps">The guest's sleeps on its doorbell.</param>
/// <param name="DeviceSleeps">The device's sleeps on its doorbell.</param>
public sealed record QueueSnapshot(int Index, PacketCounters GuestReceiver, PacketCounters GuestSender,
    PacketCounters DeviceSender, PacketCounters DeviceReceiver, SleepCounters GuestSleeps, SleepCounters DeviceSleeps)
{
    /// <summary>Free buffers the guest posted on the RX fill ring that the device has not taken yet.</summary>
    public long FillRingOccupancy => GuestReceiver.BufferEntries - DeviceSender.BufferEntries;

    /// <summary>RX completions the device posted that the guest has not received yet.</summary>
    public long RxCompletionRingOccupancy => DeviceSender.PacketEntries - GuestReceiver.PacketEntries;

    /// <summary>TX descriptors the guest posted that the device has not received yet.</summary>
    public long TxRingOccupancy => GuestSender.PacketEntries - DeviceReceiver.PacketEntries;

    /// <summary>TX completions the device posted that the guest has not taken back yet.</summary>
    public long TxCompletionRingOccupancy => DeviceReceiver.BufferEntries - GuestSender.BufferEntries;
}
