using System.Runtime.CompilerServices;

namespace Ring.Memory;

/// <summary>
/// The buffer pool as one side sees it: its base address, buffer size, stride and count. Turns an offset that was
/// validated when its <see cref="Packet"/> was made into a span over the buffer, without copying, and checks
/// offsets the peer wrote.
/// </summary>
internal readonly unsafe struct BufferPool
{
    private readonly byte* _base;

    public BufferPool(byte* poolBase, in RegionGeometry geometry)
    {
        _base = poolBase;
        BufferSize = geometry.BufferSize;
        Stride = geometry.BufferStride;
        BufferCount = geometry.BufferCount;
        Divider = new StrideDivider(geometry.BufferStride);
    }

    /// <summary>Bytes a buffer holds.</summary>
    public int BufferSize { get; }

    /// <summary>Bytes from one buffer to the next.</summary>
    public int Stride { get; }

    /// <summary>Buffers in the pool.</summary>
    public int BufferCount { get; }

    /// <summary>Bytes in the pool.</summary>
    public ulong Length => (ulong)BufferCount * (ulong)Stride;

    /// <summary>Divides pool offsets by the stride.</summary>
    public StrideDivider Divider { get; }

    /// <summary><paramref name="length"/> bytes of the buffer at <paramref name="offset"/>; both were validated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Span(ulong offset, int length) => new(_base + offset, length);

    /// <summary>The buffer index of a peer-written <paramref name="offset"/> in <c>[first, first + length)</c>, or a drop
    /// reason: outside the range, or not a buffer start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DropReason? Locate(ulong offset, ulong first, ulong length, out uint index)
    {
        ulong relative = offset - first; // unsigned: also catches offset < first
        if (relative >= length)
        {
            index = 0;
            return DropReason.OffsetOutsidePool;
        }
        return Divider.TryDivide(relative, out index) ? null : DropReason.OffsetMisaligned;
    }
}
