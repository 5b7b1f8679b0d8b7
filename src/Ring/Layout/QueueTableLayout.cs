namespace Ring.Layout;

/// <summary>
/// One entry of the header's queue table: where a queue pair's control block and four rings are, as u64 offsets
/// from the start of the region. Written by the driver at creation; the device checks every one against the
/// layout it computes from the geometry and refuses a region where they differ.
/// </summary>
public static class QueueTableLayout
{
    /// <summary>u64 offset of the queue pair's control block (<see cref="QueueControlLayout"/>).</summary>
    public const int ControlOffset = 0;
    /// <summary>u64 offset of the RX fill ring (driver → device: free buffer offsets).</summary>
    public const int RxFillOffset = ControlOffset + sizeof(ulong);
    /// <summary>u64 offset of the RX completion ring (device → driver: descriptors of received packets).</summary>
    public const int RxCompletionOffset = RxFillOffset + sizeof(ulong);
    /// <summary>u64 offset of the TX ring (driver → device: descriptors of packets to send).</summary>
    public const int TxOffset = RxCompletionOffset + sizeof(ulong);
    /// <summary>u64 offset of the TX completion ring (device → driver: offsets of sent buffers).</summary>
    public const int TxCompletionOffset = TxOffset + sizeof(ulong);
}
