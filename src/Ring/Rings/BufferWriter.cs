using System.Runtime.CompilerServices;

namespace Ring.Rings;

/// <summary>
/// One burst's view of a buffer ring from the writer's place on. As with descriptors, write the burst back to
/// front so that the entry the reader polls is stored last.
/// </summary>
internal readonly unsafe ref struct BufferWriter
{
    private readonly ulong* _entries;
    private readonly uint _first;
    private readonly uint _mask;
    private readonly int _log2;

    public BufferWriter(RingPosition ring)
    {
        _entries = (ulong*)ring.Entries;
        _first = ring.Next;
        _mask = ring.Mask;
        _log2 = ring.Log2;
    }

    /// <summary>Writes entry <paramref name="i"/>: the offset (a multiple of 64, so bit 0 is free) with the generation
    /// of its lap, with release (R2): whatever this side did with the buffer before is visible to a reader that sees
    /// the entry (A2 in <see cref="BufferReader.TryRead"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int i, ulong bufferOffset)
    {
        uint n = _first + (uint)i;
        Volatile.Write(ref _entries[n & _mask], bufferOffset | (~(ulong)(n >> _log2) & 1)); // R2
    }
}
