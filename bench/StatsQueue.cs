using Ring;

namespace Bench;

/// <summary>
/// One queue pair as <c>bench stats</c> shows it: each direction's traffic, the four rings' occupancy, drops by ring
/// and reason, the doorbells each side rang, each side's sleeps, and the buffers each application holds.
/// </summary>
public sealed class StatsQueue
{
    /// <summary>The ring each half reads entries from, which is where a dropped entry came from.</summary>
    public const string FillRing = "fill", RxCompletionRing = "rx_completion", TxRing = "tx", TxCompletionRing = "tx_completion";

    /// <summary>The queue pair's number.</summary>
    public int Queue { get; set; }
    /// <summary>Device to guest.</summary>
    public StatsTraffic Rx { get; set; } = new();
    /// <summary>Guest to device.</summary>
    public StatsTraffic Tx { get; set; } = new();
    /// <summary>Entries in each ring now: fill, rx_completion, tx, tx_completion.</summary>
    public Dictionary<string, long> Rings { get; set; } = [];
    /// <summary>Entries dropped as invalid, by the ring they were read from and then by reason; only non-zero ones.</summary>
    public Dictionary<string, Dictionary<string, long>> Drops { get; set; } = [];
    /// <summary>Doorbells the guest rang to wake the device.</summary>
    public long DoorbellsToDevice { get; set; }
    /// <summary>Doorbells the device rang to wake the guest.</summary>
    public long DoorbellsToGuest { get; set; }
    /// <summary>The guest's sleeps on its doorbell, and the packets it received per wake-up.</summary>
    public StatsSleeps GuestSleeps { get; set; } = new();
    /// <summary>The device's sleeps on its doorbell, and the packets it received per wake-up.</summary>
    public StatsSleeps DeviceSleeps { get; set; } = new();
    /// <summary>Buffers the guest's application holds now.</summary>
    public long GuestHeld { get; set; }
    /// <summary>Buffers the device's application holds now.</summary>
    public long DeviceHeld { get; set; }
    /// <summary>Rents on the guest that found no buffer.</summary>
    public long GuestStarved { get; set; }
    /// <summary>Rents on the device that found no buffer.</summary>
    public long DeviceStarved { get; set; }

    /// <summary>The queue pair from its counters now and, when there was one, an interval (<paramref name="seconds"/>) ago.</summary>
    public static StatsQueue Of(QueueSnapshot now, QueueSnapshot? before, double seconds)
    {
        var queue = new StatsQueue
        {
            Queue = now.Index,
            Rx = StatsTraffic.Of(now.GuestReceiver, now.DeviceSender, before?.GuestReceiver, seconds),
            Tx = StatsTraffic.Of(now.DeviceReceiver, now.GuestSender, before?.DeviceReceiver, seconds),
            Rings = new()
            {
                [FillRing] = now.FillRingOccupancy,
                [RxCompletionRing] = now.RxCompletionRingOccupancy,
                [TxRing] = now.TxRingOccupancy,
                [TxCompletionRing] = now.TxCompletionRingOccupancy,
            },
            DoorbellsToDevice = now.GuestReceiver.Doorbells + now.GuestSender.Doorbells,
            DoorbellsToGuest = now.DeviceSender.Doorbells + now.DeviceReceiver.Doorbells,
            GuestSleeps = StatsSleeps.Of(now.GuestSleeps, now.GuestReceiver.Packets),
            DeviceSleeps = StatsSleeps.Of(now.DeviceSleeps, now.DeviceReceiver.Packets),
            GuestHeld = now.GuestReceiver.Held + now.GuestSender.Held,
            DeviceHeld = now.DeviceSender.Held + now.DeviceReceiver.Held,
            GuestStarved = now.GuestReceiver.Starved + now.GuestSender.Starved,
            DeviceStarved = now.DeviceSender.Starved + now.DeviceReceiver.Starved,
        };
        AddDrops(queue.Drops, RxCompletionRing, now.GuestReceiver);
        AddDrops(queue.Drops, FillRing, now.DeviceSender);
        AddDrops(queue.Drops, TxRing, now.DeviceReceiver);
        AddDrops(queue.Drops, TxCompletionRing, now.GuestSender);
        return queue;
    }

    private static void AddDrops(Dictionary<string, Dictionary<string, long>> drops, string ring, PacketCounters reader)
    {
        var reasons = Enum.GetValues<DropReason>().Where(r => reader.DropsFor(r) != 0)
            .ToDictionary(r => r.ToString(), reader.DropsFor);
        if (reasons.Count != 0)
            drops[ring] = reasons;
    }
}
