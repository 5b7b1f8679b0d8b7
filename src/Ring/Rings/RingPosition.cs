namespace Ring.Rings;

/// <summary>
/// One side's private place in a ring: the free-running count of entries it has read or written, the slot mask
/// and log2 of the size. Entry <c>n</c> sits in slot <c>n &amp; mask</c> and carries generation
/// <c>((n &gt;&gt; log2) &amp; 1) ^ 1</c> (1 on the first lap, so a zeroed ring reads "not ready"). The count wraps at
/// 2^32, an even number of laps, so the generation stays right across the wrap. Only its owner touches it.
/// </summary>
internal sealed unsafe class RingPosition(byte* entries, int size)
{
    /// <summary>The first entry's address.</summary>
    public readonly byte* Entries = entries;
    /// <summary>Slot mask, size - 1.</summary>
    public readonly uint Mask = (uint)size - 1;
    /// <summary>log2 of the size.</summary>
    public readonly int Log2 = System.Numerics.BitOperations.Log2((uint)size);
    /// <summary>Entries read (by a reader) or written (by a writer) so far. Owner-only: no ordering needed.</summary>
    public uint Next;

    /// <summary>Entries in the ring.</summary>
    public int Size => (int)(Mask + 1);
}
