using System.Runtime.CompilerServices;

namespace Ring.Memory;

/// <summary>
/// The buffer pool as one side sees it: its base address, buffer size, stride and count. Turns an offset that was
/// validated when its <see cref="Packet"/> was made into a span over the buffer, without copying.
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
    }

    /// <summary>Bytes a buffer holds.</summary>
    public int BufferSize { get; }

    /// <summary>Bytes from one buffer to the next.</summary>
    public int Stride { get; }

    /// <summary>Buffers in the pool.</summary>
    public int BufferCount { get; }

    /// <summary>Bytes in the pool.</summary>
    public ulong Length => (ulong)BufferCount * (ulong)Stride;

    /// <summary><paramref name="length"/> bytes of the buffer at <paramref name="offset"/>; both were validated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Span(ulong offset, int length) => new(_base + offset, length);

    /// <summary>Why a peer-written offset, <paramref name="relative"/> to the first buffer of a run of
    /// <paramref name="length"/> bytes, names none of them: outside the run, or not a buffer start.</summary>
    public static DropReason WhyNot(ulong relative, ulong length) =>
        relative >= length ? DropReason.OffsetOutsidePool : DropReason.OffsetMisaligned;
}
