namespace Ring.Queues;

/// <summary>Why a descriptor or ring entry the peer wrote was dropped instead of used. Counted per reason.</summary>
public enum DropReason
{
    /// <summary>The buffer offset is outside the pool (or, on the driver, outside this queue's buffers).</summary>
    OffsetOutsidePool,
    /// <summary>The buffer offset is not on a buffer boundary.</summary>
    OffsetMisaligned,
    /// <summary>The length is larger than a buffer.</summary>
    LengthTooLarge,
    /// <summary>The descriptor lacks END_OF_PACKET while chained buffers were not negotiated.</summary>
    MissingEndOfPacket,
    /// <summary>The driver did not have this buffer with the device (a duplicate or forged completion).</summary>
    BufferNotPosted,
}
