namespace Ring.Layout;

/// <summary>
/// One entry of the header's queue table: where a queue pair's control block, counters and four rings are, as
/// u64 offsets from the start of the region. Written by the guest at creation; the device checks every one
/// against the layout it computes from the geometry and refuses a region where they differ.
/// </summary>
internal static class QueueTableLayout
{
    /// <summary>u64 offset of the queue pair's control block (<see cref="QueueControlLayout"/>).</summary>
    public const int ControlOffset = 0;
    /// <summary>u64 offset of the queue pair's counters (<see cref="CountersLayout"/>).</summary>
    public const int CountersOffset = ControlOffset + sizeof(ulong);
    /// <summary>u64 offset of the RX fill ring (guest → device: free buffer offsets).</summary>
    public const int RxFillOffset = CountersOffset + sizeof(ulong);
    /// <summary>u64 offset of the RX completion ring (device → guest: descriptors of received packets).</summary>
    public const int RxCompletionOffset = RxFillOffset + sizeof(ulong);
    /// <summary>u64 offset of the TX ring (guest → device: descriptors of packets to send).</summary>
    public const int TxOffset = RxCompletionOffset + sizeof(ulong);
    /// <summary>u64 offset of the TX completion ring (device → guest: offsets of sent buffers).</summary>
    public const int TxCompletionOffset = TxOffset + sizeof(ulong);
}
