using System.Runtime.CompilerServices;
using Ring.Layout;

namespace Ring.Rings;

/// <summary>
/// One burst's view of a buffer ring (fill, TX completion: u64 pool offsets with the generation in bit 0) from the
/// reader's place up to the ring's wrap, as <see cref="DescriptorReader"/>.
/// </summary>
internal readonly unsafe ref struct BufferReader
{
    private readonly ulong* _first;
    private readonly int _beforeWrap;
    private readonly ulong _generation;

    public BufferReader(RingPosition ring)
    {
        uint slot = ring.Next & ring.Mask;
        _first = (ulong*)ring.Entries + slot;
        _beforeWrap = (int)(ring.Mask + 1 - slot);
        _generation = ~(ulong)(ring.Next >> ring.Log2) & DescriptorLayout.BufferEntryGeneration;
    }

    /// <summary>How many of <paramref name="wanted"/> entries this view covers (it ends at the wrap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Limit(int wanted) => Math.Min(wanted, _beforeWrap);

    /// <summary>
    /// Copies entry <paramref name="i"/> (below <see cref="Limit"/>) out if it is ready, as the offset with the
    /// generation bit cleared. One load, with acquire (A2): pairs with the writer's release (R2 in
    /// <see cref="BufferWriter.Write"/>). Whoever wrote the entry handed the buffer over with it; what the peer did
    /// with the buffer before is ordered by that store.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(int i, out ulong bufferOffset)
    {
        ulong entry = Volatile.Read(ref _first[i]); // A2
        bufferOffset = entry & ~DescriptorLayout.BufferEntryGeneration;
        return (entry & DescriptorLayout.BufferEntryGeneration) == _generation;
    }

    /// <summary>Whether the entry at the reader's place is ready (the sleeper's re-check; one acquire load).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool FirstReady() => (Volatile.Read(ref *_first) & DescriptorLayout.BufferEntryGeneration) == _generation; // A2
}
