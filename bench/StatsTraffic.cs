using Ring;

namespace Bench;

/// <summary>One direction of one queue pair as <c>bench stats</c> shows it.</summary>
public sealed class StatsTraffic
{
    /// <summary>Packets the receiving side received.</summary>
    public long Packets { get; set; }
    /// <summary>Bytes of those packets.</summary>
    public long Bytes { get; set; }
    /// <summary>Packets the sending side sent (the difference is in flight, or dropped).</summary>
    public long Sent { get; set; }
    /// <summary>Packets received per second over the last interval; null without one.</summary>
    public double? PacketsPerSecond { get; set; }
    /// <summary>Bytes received per second over the last interval; null without one.</summary>
    public double? BytesPerSecond { get; set; }

    /// <summary>The direction from the receiving half's counters now and, when there was one, an interval ago.</summary>
    public static StatsTraffic Of(PacketCounters receiver, PacketCounters sender, PacketCounters? receiverBefore, double seconds) => new()
    {
        Packets = receiver.Packets,
        Bytes = receiver.Bytes,
        Sent = sender.Packets,
        PacketsPerSecond = receiverBefore is { } b && seconds > 0 ? (receiver.Packets - b.Packets) / seconds : null,
        BytesPerSecond = receiverBefore is { } c && seconds > 0 ? (receiver.Bytes - c.Bytes) / seconds : null,
    };
}
