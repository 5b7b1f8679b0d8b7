using System.Runtime.CompilerServices;

namespace Ring.Rings;

/// <summary>
/// One burst's view of a descriptor ring from the reader's place up to the ring's wrap: entry <c>i</c> of the burst
/// is ready when its generation bit is the one of the lap it sits in. Taken once per burst; a burst stops at the
/// wrap (the next one starts the new lap), so the whole view has one expected generation and the loop needs only
/// a pointer and a bit, not the position, mask and shift, in its registers.
/// </summary>
internal readonly unsafe ref struct DescriptorReader
{
    private readonly Descriptor* _first;
    private readonly int _beforeWrap;
    private readonly ulong _generation;

    public DescriptorReader(RingPosition ring)
    {
        uint slot = ring.Next & ring.Mask;
        _first = (Descriptor*)ring.Entries + slot;
        _beforeWrap = (int)(ring.Mask + 1 - slot);
        _generation = (~(ulong)(ring.Next >> ring.Log2) & 1) << Descriptor.GenerationShift;
    }

    /// <summary>How many of <paramref name="wanted"/> entries this view covers (it ends at the wrap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Limit(int wanted) => Math.Min(wanted, _beforeWrap);

    /// <summary>
    /// Copies entry <paramref name="i"/> (below <see cref="Limit"/>) out if it is ready. The control word is read
    /// first, with acquire (A1): the writer stored it last, with release (R1 in <see cref="DescriptorWriter.Write"/>),
    /// so once its generation says ready, the offset stored before it is visible. Each field is read once; the
    /// caller validates the copies and uses only them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(int i, out ulong bufferOffset, out ulong control)
    {
        Descriptor* entry = _first + i;
        control = Volatile.Read(ref entry->Control); // A1
        bufferOffset = entry->BufferOffset;
        return (control & Descriptor.GenerationBit) == _generation;
    }

    /// <summary>Whether the entry at the reader's place is ready (one acquire load): the sleeper's re-check, and a
    /// receive's early way out when nothing is. A probe only: the copy that is validated and used is the one
    /// <see cref="TryRead"/> takes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool FirstReady() => (Volatile.Read(ref _first->Control) & Descriptor.GenerationBit) == _generation; // A1
}
