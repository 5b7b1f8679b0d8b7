using System.Numerics;
using Ring.Layout;

namespace Ring.Region;

/// <summary>
/// The shape of a region: queue pairs, ring size, buffer size and count. Everything else in the layout (every
/// ring's offset, the pool's offset, the region's length) follows from it, so the device recomputes the layout
/// from these four numbers and refuses a header whose offsets say otherwise.
/// </summary>
public readonly record struct RegionGeometry(int QueuePairs, int RingSize, int BufferSize, int BufferCount)
{
    /// <summary>Smallest buffer: one cache line.</summary>
    public const int MinBufferSize = 64;
    /// <summary>Largest buffer: 64 KiB.</summary>
    public const int MaxBufferSize = 1 << 16;
    /// <summary>Most buffers a pool may hold.</summary>
    public const int MaxBufferCount = 1 << 22;

    /// <summary>The driver's usual geometry: per queue pair, one ring's worth of RX buffers and one of TX buffers.</summary>
    public static RegionGeometry ForQueues(int queuePairs, int ringSize, int bufferSize) =>
        new(queuePairs, ringSize, bufferSize, checked(queuePairs * 2 * ringSize));

    /// <summary>Bytes from one queue pair's control block to the next.</summary>
    public long QueuePairStride =>
        QueueControlLayout.Length
        + 2L * RingLayout.Length(RingSize, DescriptorLayout.OffsetEntryLength)
        + 2L * RingLayout.Length(RingSize, DescriptorLayout.Length);

    /// <summary>Offset of the pool: after the last queue pair, page aligned.</summary>
    public long PoolOffset => AlignUp(RegionLayout.HeaderLength + QueuePairs * QueuePairStride, RegionLayout.PoolAlignment);

    /// <summary>Length of the pool.</summary>
    public long PoolLength => (long)BufferCount * BufferSize;

    /// <summary>Length of the whole region.</summary>
    public long RegionLength => PoolOffset + PoolLength;

    /// <summary>Where queue pair <paramref name="queue"/>'s control block and rings are.</summary>
    public QueuePairOffsets QueuePair(int queue)
    {
        long control = RegionLayout.HeaderLength + queue * QueuePairStride;
        long fill = control + QueueControlLayout.Length;
        long rxCompletion = fill + RingLayout.Length(RingSize, DescriptorLayout.OffsetEntryLength);
        long tx = rxCompletion + RingLayout.Length(RingSize, DescriptorLayout.Length);
        long txCompletion = tx + RingLayout.Length(RingSize, DescriptorLayout.Length);
        return new QueuePairOffsets(control, fill, rxCompletion, tx, txCompletion);
    }

    /// <summary>Why this geometry cannot be laid out, or null when it can.</summary>
    public string? Validate()
    {
        if (QueuePairs < 1 || QueuePairs > RegionLayout.MaxQueuePairs)
            return $"queue pairs must be 1..{RegionLayout.MaxQueuePairs}, not {QueuePairs}";
        if (!IsPowerOfTwoInRange(RingSize, 1 << RingLayout.MinSizeLog2, 1 << RingLayout.MaxSizeLog2))
            return $"ring size must be a power of two from {1 << RingLayout.MinSizeLog2} to {1 << RingLayout.MaxSizeLog2}, not {RingSize}";
        if (!IsPowerOfTwoInRange(BufferSize, MinBufferSize, MaxBufferSize))
            return $"buffer size must be a power of two from {MinBufferSize} to {MaxBufferSize}, not {BufferSize}";
        if (BufferCount < QueuePairs * 2 * RingSize || BufferCount > MaxBufferCount)
            return $"buffer count must be {QueuePairs * 2 * RingSize}..{MaxBufferCount} (a ring's worth of RX and of TX buffers per queue pair), not {BufferCount}";
        return null;
    }

    private static bool IsPowerOfTwoInRange(int value, int min, int max) =>
        value >= min && value <= max && BitOperations.IsPow2(value);

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) & ~(long)(alignment - 1);
}
