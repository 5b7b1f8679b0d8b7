using System.Runtime.CompilerServices;
using Ring.Layout;

namespace Ring.Rings;

/// <summary>
/// One burst's view of a buffer ring (fill, TX completion: u64 pool offsets with the generation in bit 0) from the
/// reader's place on.
/// </summary>
internal readonly unsafe ref struct BufferReader
{
    private readonly ulong* _entries;
    private readonly uint _first;
    private readonly uint _mask;
    private readonly int _log2;

    public BufferReader(RingPosition ring)
    {
        _entries = (ulong*)ring.Entries;
        _first = ring.Next;
        _mask = ring.Mask;
        _log2 = ring.Log2;
    }

    /// <summary>
    /// Copies entry <paramref name="i"/> out if it is ready, as the offset with the generation bit cleared. One load,
    /// with acquire (A2): pairs with the writer's release (R2 in <see cref="BufferWriter.Write"/>). Whoever wrote
    /// the entry handed the buffer over with it; what the peer did with the buffer before is ordered by that store.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(int i, out ulong bufferOffset)
    {
        uint n = _first + (uint)i;
        ulong entry = Volatile.Read(ref _entries[n & _mask]); // A2
        bufferOffset = entry & ~DescriptorLayout.BufferEntryGeneration;
        return ((entry ^ (n >> _log2)) & 1) != 0;
    }

    /// <summary>Whether the entry at the reader's place is ready (the sleeper's re-check; one acquire load).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool FirstReady() => ((Volatile.Read(ref _entries[_first & _mask]) ^ (_first >> _log2)) & 1) != 0; // A2
}
