using System.Runtime.CompilerServices;
using Ring.Layout;

namespace Ring.Rings;

/// <summary>
/// One burst's view of a descriptor ring from the writer's place on, across the wrap if the burst crosses it. A
/// burst is written back to front, so its first entry, the one the reader polls, is the last store: a reader that
/// finds it ready finds the whole burst ready (x86 makes stores visible in program order; elsewhere each release
/// store orders the ones before it), and the line the reader spins on is written once per burst.
/// </summary>
internal readonly unsafe ref struct DescriptorWriter
{
    private readonly Descriptor* _first;
    private readonly Descriptor* _start;
    private readonly int _beforeWrap;
    private readonly ulong _generation;

    public DescriptorWriter(RingPosition ring)
    {
        uint slot = ring.Next & ring.Mask;
        _start = (Descriptor*)ring.Entries;
        _first = _start + slot;
        _beforeWrap = (int)(ring.Mask + 1 - slot);
        _generation = (~(ulong)(ring.Next >> ring.Log2) & 1) << Descriptor.GenerationShift;
    }

    /// <summary>
    /// Writes entry <paramref name="i"/> of the burst: the offset, then the control word with the generation of its
    /// lap, with release (R1): the packet's bytes and the offset stored before it are visible to a reader that sees
    /// its generation (A1 in <see cref="DescriptorReader.TryRead"/>). Call for the entries from last to first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int i, ulong bufferOffset, uint length, DescriptorFlags flags)
    {
        Descriptor* entry;
        ulong generation;
        if (i < _beforeWrap)
        {
            entry = _first + i;
            generation = _generation;
        }
        else
        {
            entry = _start + (i - _beforeWrap); // the next lap: the other generation
            generation = _generation ^ Descriptor.GenerationBit;
        }
        entry->BufferOffset = bufferOffset;
        Volatile.Write(ref entry->Control, Descriptor.ControlWord(length, flags) | generation); // R1
    }
}
