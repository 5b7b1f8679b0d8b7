using System.Runtime.CompilerServices;
using Ring.Layout;

namespace Ring.Rings;

/// <summary>
/// One burst's view of a buffer ring from the writer's place on, across the wrap if the burst crosses it. As with
/// descriptors, write the burst back to front so that the entry the reader polls is stored last.
/// </summary>
internal readonly unsafe ref struct BufferWriter
{
    private readonly ulong* _first;
    private readonly ulong* _start;
    private readonly int _beforeWrap;
    private readonly ulong _generation;

    public BufferWriter(RingPosition ring)
    {
        uint slot = ring.Next & ring.Mask;
        _start = (ulong*)ring.Entries;
        _first = _start + slot;
        _beforeWrap = (int)(ring.Mask + 1 - slot);
        _generation = ~(ulong)(ring.Next >> ring.Log2) & DescriptorLayout.BufferEntryGeneration;
    }

    /// <summary>Writes entry <paramref name="i"/>: the offset (a multiple of 64, so bit 0 is free) with the generation
    /// of its lap, with release (R2): whatever this side did with the buffer before is visible to a reader that sees
    /// the entry (A2 in <see cref="BufferReader.TryRead"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int i, ulong bufferOffset)
    {
        if (i < _beforeWrap)
            Volatile.Write(ref _first[i], bufferOffset | _generation); // R2
        else
            Volatile.Write(ref _start[i - _beforeWrap], bufferOffset | (_generation ^ DescriptorLayout.BufferEntryGeneration)); // R2, next lap
    }
}
