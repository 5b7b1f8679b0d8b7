using System.Runtime.CompilerServices;

namespace Ring.Rings;

/// <summary>
/// Reads one descriptor anywhere ahead of a reader's place, across the wrap: for the rare path that follows a
/// chained frame, which may straddle the wrap where a burst's view (<see cref="DescriptorReader"/>) stops.
/// </summary>
internal static unsafe class DescriptorPeek
{
    /// <summary>Copies entry <c>ring.Next + k</c> out if it is ready (acquire on the control word, A1, as
    /// <see cref="DescriptorReader.TryRead"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool TryRead(RingPosition ring, int k, out ulong bufferOffset, out ulong control)
    {
        uint n = ring.Next + (uint)k;
        Descriptor* entry = (Descriptor*)ring.Entries + (n & ring.Mask);
        control = Volatile.Read(ref entry->Control); // A1
        bufferOffset = entry->BufferOffset;
        ulong generation = (~(ulong)(n >> ring.Log2) & 1) << Descriptor.GenerationShift;
        return (control & Descriptor.GenerationBit) == generation;
    }
}
