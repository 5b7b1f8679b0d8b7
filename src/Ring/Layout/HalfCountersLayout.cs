namespace Ring.Layout;

/// <summary>
/// One ring half's counter block (<see cref="CountersLayout"/>): sixteen u64 counters, written only by the half
/// that owns the block.
/// </summary>
internal static class HalfCountersLayout
{
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
    /// <summary>u64 rents that found no buffer (a sender), or waits refused because the application held every
    /// buffer (a receiver).</summary>
    public const int StarvedOffset = DoorbellsOffset + sizeof(ulong);
    /// <summary>u64 buffers the application holds now (a gauge).</summary>
    public const int HeldOffset = StarvedOffset + sizeof(ulong);
    /// <summary>u64[9] drops by <see cref="DropReason"/>: <c>DropsOffset + 8 * (int)reason</c>.</summary>
    public const int DropsOffset = HeldOffset + sizeof(ulong);
    /// <summary>Drop reasons a block has room for.</summary>
    public const int DropSlots = (RegionLayout.BlockLength - DropsOffset) / sizeof(ulong);
}
