namespace Ring;

/// <summary>Why an entry the peer wrote into a ring was dropped instead of used. Counted per reason; never thrown.</summary>
public enum DropReason
{
    /// <summary>The buffer offset is outside the pool (or, on the guest, outside this queue's buffers for that direction).</summary>
    OffsetOutsidePool,
    /// <summary>The buffer offset is not the start of a buffer.</summary>
    OffsetMisaligned,
    /// <summary>The length is larger than a buffer.</summary>
    LengthTooLarge,
    /// <summary>The descriptor lacks END_OF_PACKET while chained buffers were not negotiated.</summary>
    MissingEndOfPacket,
    /// <summary>The buffer is not the peer's to hand over: a duplicate or forged entry.</summary>
    BufferNotOwned,
    /// <summary>A chained frame with more packets than the largest frame needs (no end of packet in time).</summary>
    ChainTooLong,
    /// <summary>A chained frame the peer's end of stream left without its last packet.</summary>
    ChainUnterminated,
    /// <summary>A good packet of a chained frame that another of its packets made invalid: the frame is dropped whole.</summary>
    ChainBroken,
}
