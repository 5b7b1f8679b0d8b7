using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ring.Queues;

/// <summary>
/// The buffer pool: <c>count x size</c> buffers addressed by offset from its start. Checks offsets the peer
/// wrote, and turns a validated <see cref="Packet"/> into a span over its bytes without copying.
/// </summary>
public readonly unsafe struct BufferPool
{
    private readonly byte* _base;

    internal BufferPool(byte* poolBase, int bufferSize, int bufferCount)
    {
        _base = poolBase;
        BufferSize = bufferSize;
        BufferCount = bufferCount;
        BufferShift = BitOperations.Log2((uint)bufferSize);
    }

    /// <summary>Bytes per buffer (a power of two).</summary>
    public int BufferSize { get; }

    /// <summary>Buffers in the pool.</summary>
    public int BufferCount { get; }

    /// <summary>log2 of <see cref="BufferSize"/>: buffer index = offset &gt;&gt; shift.</summary>
    internal int BufferShift { get; }

    /// <summary>Bytes in the pool.</summary>
    public ulong Length => (ulong)BufferCount << BufferShift;

    /// <summary>The bytes of <paramref name="packet"/>. The offset was validated when the packet was made.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Payload(in Packet packet) => new(_base + packet.Offset, packet.Length);

    /// <summary>Checks that <paramref name="offset"/> starts a buffer in <c>[first, first + length)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal DropReason? CheckOffset(ulong offset, ulong first, ulong length)
    {
        if (offset - first >= length) // unsigned: also catches offset < first
            return DropReason.OffsetOutsidePool;
        if ((offset & (ulong)(BufferSize - 1)) != 0)
            return DropReason.OffsetMisaligned;
        return null;
    }
}
