using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ring.Harness.Net;

/// <summary>
/// The buffers one frame is scattered over, as a NIC scatters a frame over its descriptors: a chain of Ring buffers,
/// handed to the kernel in one <c>readv</c> or <c>writev</c> (<see cref="TapDevice.Read(ref FrameSegments)"/>,
/// <see cref="TapDevice.TryWrite(ref FrameSegments)"/>). It holds each segment's address, not the span, so it takes
/// only memory the garbage collector never moves, such as a Ring region's pool (what <c>PacketWriter.GetBuffer</c>
/// and <c>PacketReader.Payload</c> return); a span over a managed array would go stale when the array moves.
/// Lives on the stack, up to <see cref="MaxCount"/> segments, and allocates nothing.
/// </summary>
public ref struct FrameSegments
{
    /// <summary>The most segments one frame may have: a 64 KiB frame in 256-byte buffers.</summary>
    public const int MaxCount = 256;

    private IoVectors _vectors;

    /// <summary>Segments added.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes all segments hold together.</summary>
    public int Length { get; private set; }

    /// <summary>Appends <paramref name="segment"/>, a span over memory the GC does not move (see the type's remarks).</summary>
    public unsafe void Add(Span<byte> segment)
    {
        if (Count == MaxCount)
            throw new InvalidOperationException($"a frame has at most {MaxCount} segments");
        _vectors[Count++] = new IoVector((nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(segment)), (nuint)segment.Length);
        Length += segment.Length;
    }

    /// <summary>The <c>struct iovec</c> array, for the system call.</summary>
    internal readonly unsafe IoVector* Vectors => (IoVector*)Unsafe.AsPointer(ref Unsafe.AsRef(in _vectors[0]));

    /// <summary><c>struct iovec</c>: a base address and a length.</summary>
    internal readonly record struct IoVector(nint Base, nuint Length);

    [InlineArray(MaxCount)]
    private struct IoVectors
    {
        private IoVector _first;
    }
}
