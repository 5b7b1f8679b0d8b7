using System.Runtime.CompilerServices;

namespace Ring.Rings;

/// <summary>
/// One burst's view of a descriptor ring from the reader's place on: entry <c>i</c> of the burst is ready when its
/// generation bit is the one of the lap it sits in. Taken once per burst, it keeps the pointer, the position, the
/// mask and the shift in registers for the burst's loop.
/// </summary>
internal readonly unsafe ref struct DescriptorReader
{
    private readonly Descriptor* _entries;
    private readonly uint _first;
    private readonly uint _mask;
    private readonly int _log2;

    public DescriptorReader(RingPosition ring)
    {
        _entries = (Descriptor*)ring.Entries;
        _first = ring.Next;
        _mask = ring.Mask;
        _log2 = ring.Log2;
    }

    /// <summary>
    /// Copies entry <paramref name="i"/> out if it is ready. The control word is read first, with acquire (A1): the
    /// writer stored it last, with release (R1 in <see cref="DescriptorWriter.Write"/>), so once its generation says
    /// ready, the offset stored before it is visible. Each field is read once; the caller validates the copies and
    /// uses only them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(int i, out ulong bufferOffset, out ulong control)
    {
        uint n = _first + (uint)i;
        Descriptor* entry = _entries + (n & _mask);
        control = Volatile.Read(ref entry->Control); // A1
        bufferOffset = entry->BufferOffset;
        // Ready when the entry's generation bit equals ((n >> log2) & 1) ^ 1, i.e. differs from the lap's parity.
        return (((control >> Descriptor.GenerationShift) ^ (n >> _log2)) & 1) != 0;
    }

    /// <summary>Whether the entry at the reader's place is ready (the sleeper's re-check; one acquire load).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool FirstReady()
    {
        ulong control = Volatile.Read(ref (_entries + (_first & _mask))->Control); // A1
        return (((control >> Descriptor.GenerationShift) ^ (_first >> _log2)) & 1) != 0;
    }
}
