using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ring.Memory;

/// <summary>
/// Turns an offset relative to a run of buffers into the buffer's index, in one multiply, and says whether the
/// offset names one of them at all: it must be a multiple of the stride and below <c>count x stride</c>.
/// </summary>
/// <remarks>
/// Design: the stride is <c>2^k x d</c> with <c>d</c> odd. The guest's default stride is a power of two (d = 1,
/// see <see cref="RegionGeometry.StrideFor"/>), but a header may name any multiple of 64, and a hardware divide
/// costs about ten times a multiply. Division by an odd <c>d</c> that is exact is multiplication by its inverse modulo 2^32
/// (Granlund and Montgomery, 1994): for <c>n &lt; 2^32</c>, <c>q = n x d^-1 mod 2^32</c> is below <c>count</c>
/// exactly when <c>n = q x d</c> with <c>q &lt; count</c> (if <c>q &lt; count</c> then <c>q x d &lt; 2^32</c> and
/// <c>q x d ≡ n</c>, so they are equal). So "a multiple of the stride, in range" is three checks: the high 32 bits
/// are zero, the low <c>k</c> bits are zero, and the product is below <c>count</c>. The product is then the index.
/// </remarks>
internal readonly struct BufferIndexer
{
    private readonly uint _inverse;
    private readonly uint _lowMask;
    private readonly int _shift;
    private readonly uint _count;

    public BufferIndexer(int stride, int count)
    {
        _shift = BitOperations.TrailingZeroCount(stride);
        _lowMask = (1u << _shift) - 1;
        _inverse = InverseOf((uint)stride >> _shift);
        _count = (uint)count;
    }

    /// <summary>Whether <paramref name="relative"/> is <c>index x stride</c> with <c>index &lt; count</c>; if so,
    /// <paramref name="index"/> is that index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryIndex(ulong relative, out uint index)
    {
        index = ((uint)relative >> _shift) * _inverse;
        return ((relative >> 32) | ((uint)relative & _lowMask)) == 0 & index < _count;
    }

    /// <summary>The index of an offset already known to be valid (one this side handed out).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint IndexOf(ulong relative) => ((uint)relative >> _shift) * _inverse;

    /// <summary>The inverse of odd <paramref name="d"/> modulo 2^32, by Newton's iteration (each step doubles the
    /// correct low bits: d is its own inverse mod 8, then 6, 12, 24, 48 bits).</summary>
    private static uint InverseOf(uint d)
    {
        uint x = d;
        for (int i = 0; i < 4; i++)
            x *= 2 - d * x;
        return x;
    }
}
