using System.Runtime.CompilerServices;
using Ring.Layout;

namespace Ring.Rings;

/// <summary>
/// One burst's view of a descriptor ring from the writer's place on. A burst is written back to front, so its
/// first entry, the one the reader polls, is the last store: a reader that finds it ready finds the whole burst
/// ready (x86 makes stores visible in program order; elsewhere each release store orders the ones before it), and
/// the line the reader spins on is written once per burst.
/// </summary>
internal readonly unsafe ref struct DescriptorWriter
{
    private readonly Descriptor* _entries;
    private readonly uint _first;
    private readonly uint _mask;
    private readonly int _log2;

    public DescriptorWriter(RingPosition ring)
    {
        _entries = (Descriptor*)ring.Entries;
        _first = ring.Next;
        _mask = ring.Mask;
        _log2 = ring.Log2;
    }

    /// <summary>
    /// Writes entry <paramref name="i"/> of the burst: the offset, then the control word with the generation of its
    /// lap, with release (R1): the packet's bytes and the offset stored before it are visible to a reader that sees
    /// its generation (A1 in <see cref="DescriptorReader.TryRead"/>). Call for the entries from last to first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int i, ulong bufferOffset, uint length, DescriptorFlags flags)
    {
        uint n = _first + (uint)i;
        Descriptor* entry = _entries + (n & _mask);
        entry->BufferOffset = bufferOffset;
        ulong generation = (~(ulong)(n >> _log2) & 1) << Descriptor.GenerationShift;
        Volatile.Write(ref entry->Control, Descriptor.ControlWord(length, flags) | generation); // R1
    }
}
