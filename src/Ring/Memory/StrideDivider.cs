using System.Runtime.CompilerServices;

namespace Ring.Memory;

/// <summary>
/// Divides a 32-bit offset by the buffer stride with one 64x64-bit multiply, and says whether it divided exactly
/// (Lemire, Kaser and Kurz, "Faster remainder by direct computation", 2019): with <c>c = ceil(2^64 / d)</c>, the
/// high 64 bits of <c>c * n</c> are <c>n / d</c>, and <c>d</c> divides <c>n</c> exactly when the low 64 bits are
/// below <c>c</c>. The stride is not a power of two (see <see cref="RegionGeometry.StrideFor"/>), so a shift
/// would not do, and a hardware divide costs about ten times the multiply on the validation path.
/// </summary>
internal readonly struct StrideDivider
{
    private readonly ulong _multiplier;

    public StrideDivider(int stride) => _multiplier = ulong.MaxValue / (uint)stride + 1;

    /// <summary>Whether <paramref name="relative"/> (less than 2^32) is a multiple of the stride; if so,
    /// <paramref name="index"/> is the quotient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryDivide(ulong relative, out uint index)
    {
        ulong high = Math.BigMul(_multiplier, relative, out ulong low);
        index = (uint)high;
        return low < _multiplier;
    }
}
