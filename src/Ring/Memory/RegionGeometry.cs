using System.Numerics;
using Ring.Layout;

namespace Ring.Memory;

/// <summary>
/// The shape of a region: queue pairs, ring size, buffer size, buffer count and stride. Everything else in the
/// layout (every ring's offset, the pool's offset, the region's length) follows from it, so the device recomputes
/// the layout from these numbers and refuses a header whose offsets say otherwise.
/// </summary>
/// <remarks>
/// The pool is partitioned by queue pair and direction (a guest convention the device does not rely on): queue
/// pair q owns buffers <c>[2qn, 2qn + n)</c> for RX and <c>[2qn + n, 2qn + 2n)</c> for TX, n = ring size. So every ring
/// holds at least as many entries as there are buffers that can be outstanding on it, and no writer ever needs the
/// reader's index to know it has room.
/// </remarks>
internal readonly record struct RegionGeometry(int QueuePairs, int RingSize, int BufferSize, int BufferCount, int BufferStride)
{
    /// <summary>Largest pool: offsets relative to a queue's first buffer fit in 32 bits, which keeps the divide by
    /// the division by the stride one multiply (see <see cref="BufferIndexer"/>).</summary>
    public const long MaxPoolLength = uint.MaxValue;

    /// <summary>The guest's geometry: per queue pair, <paramref name="buffersPerRing"/> RX buffers and as many TX
    /// buffers (a ring's worth when not given), laid out <see cref="StrideFor"/> apart.</summary>
    public static RegionGeometry ForQueues(int queuePairs, int ringSize, int bufferSize, int? buffersPerRing = null) =>
        new(queuePairs, ringSize, bufferSize, checked(queuePairs * 2 * (buffersPerRing ?? ringSize)), StrideFor(bufferSize));

    /// <summary>Buffers each direction of a queue pair owns (a guest convention: the pool split evenly).</summary>
    public int BuffersPerRing => BufferCount / (2 * QueuePairs);

    /// <summary>
    /// The buffer size rounded up to a whole number of cache lines: buffers are packed, a power-of-two size (2048)
    /// giving a power-of-two stride. Measured here against an odd number of lines (2112 for 2048, which spreads the
    /// buffers' first lines over every cache set): packed ran at 0.89-0.97x lean.c against 0.2-0.5x, in Ring and in
    /// lean.c alike (docs/PERFORMANCE.md, "Buffer stride"), so packed it is. Any multiple of 64 at least the buffer
    /// size is a valid stride; the guest picks this one.
    /// </summary>
    public static int StrideFor(int bufferSize) =>
        (bufferSize + RegionLayout.CacheLineLength - 1) / RegionLayout.CacheLineLength * RegionLayout.CacheLineLength;

    /// <summary>Bytes from one queue pair's control block to the next.</summary>
    public long QueuePairStride =>
        QueueControlLayout.Length + CountersLayout.Length
        + 2L * RingLayout.Length(RingSize, DescriptorLayout.BufferEntryLength)
        + 2L * RingLayout.Length(RingSize, DescriptorLayout.Length);

    /// <summary>Offset of the pool: after the last queue pair, page aligned.</summary>
    public long PoolOffset => AlignUp(RegionLayout.HeaderLength + QueuePairs * QueuePairStride, RegionLayout.PoolAlignment);

    /// <summary>Length of the pool.</summary>
    public long PoolLength => (long)BufferCount * BufferStride;

    /// <summary>Length of the whole region.</summary>
    public long RegionLength => PoolOffset + PoolLength;

    /// <summary>Pool offset of queue pair <paramref name="queue"/>'s first RX buffer.</summary>
    public ulong RxFirst(int queue) => (ulong)queue * 2 * SideLength;

    /// <summary>Pool offset of queue pair <paramref name="queue"/>'s first TX buffer.</summary>
    public ulong TxFirst(int queue) => RxFirst(queue) + SideLength;

    /// <summary>Bytes of one queue pair's buffers for one direction.</summary>
    public ulong SideLength => (ulong)BuffersPerRing * (ulong)BufferStride;

    /// <summary>Where queue pair <paramref name="queue"/>'s control block, counters and rings are.</summary>
    public QueuePairOffsets QueuePair(int queue)
    {
        long control = RegionLayout.HeaderLength + queue * QueuePairStride;
        long counters = control + QueueControlLayout.Length;
        long fill = counters + CountersLayout.Length;
        long rxCompletion = fill + RingLayout.Length(RingSize, DescriptorLayout.BufferEntryLength);
        long tx = rxCompletion + RingLayout.Length(RingSize, DescriptorLayout.Length);
        long txCompletion = tx + RingLayout.Length(RingSize, DescriptorLayout.Length);
        return new QueuePairOffsets(control, counters, fill, rxCompletion, tx, txCompletion);
    }

    /// <summary>Why this geometry cannot be laid out, or null when it can.</summary>
    public string? Validate()
    {
        if (QueuePairs < 1 || QueuePairs > RegionLayout.MaxQueuePairs)
            return $"queue pairs must be 1..{RegionLayout.MaxQueuePairs}, not {QueuePairs}";
        if (!IsPowerOfTwoInRange(RingSize, 1 << RingLayout.MinSizeLog2, 1 << RingLayout.MaxSizeLog2))
            return $"ring size must be a power of two from {1 << RingLayout.MinSizeLog2} to {1 << RingLayout.MaxSizeLog2}, not {RingSize}";
        if (BufferSize < GuestOptions.MinBufferSize || BufferSize > GuestOptions.MaxBufferSize)
            return $"buffer size must be {GuestOptions.MinBufferSize}..{GuestOptions.MaxBufferSize}, not {BufferSize}";
        if (BufferStride < BufferSize || BufferStride % RegionLayout.CacheLineLength != 0 || BufferStride > 2 * GuestOptions.MaxBufferSize)
            return $"buffer stride must be a multiple of {RegionLayout.CacheLineLength} from the buffer size {BufferSize} to {2 * GuestOptions.MaxBufferSize}, not {BufferStride}";
        if ((long)BufferCount < (long)QueuePairs * 2 * RingSize)
            return $"buffer count must be at least {(long)QueuePairs * 2 * RingSize} (a ring's worth of RX and of TX buffers per queue pair), not {BufferCount}";
        if (PoolLength > MaxPoolLength)
            return $"the pool must be at most 4 GiB, not {PoolLength} bytes ({BufferCount} buffers {BufferStride} bytes apart): use fewer queue pairs, smaller rings or smaller buffers";
        return null;
    }

    private static bool IsPowerOfTwoInRange(int value, int min, int max) =>
        value >= min && value <= max && BitOperations.IsPow2(value);

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) & ~(long)(alignment - 1);
}
