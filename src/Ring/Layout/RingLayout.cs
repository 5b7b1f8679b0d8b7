namespace Ring.Layout;

/// <summary>
/// One single-producer/single-consumer ring: a producer index, a consumer index, then 2^log2 entries. The indices are free-running u32 counters masked only at the slot: the number of entries in
/// the ring is always <c>producer - consumer</c> in unsigned arithmetic, which stays right across the 2^32 wrap
/// as long as the ring holds at most 2^31 entries. Each index has its own 128-byte block. (Doorbells are per side
/// and queue pair, in <see cref="QueueControlLayout"/>.)
/// </summary>
/// <remarks>
/// <code>
///   0               128             256
///   +---------------+---------------+-------------------------------+
///   | producer idx  | consumer idx  | entries[size]                 |
///   +---------------+---------------+-------------------------------+
/// </code>
/// </remarks>
public static class RingLayout
{
    /// <summary>u32 producer index: written only by the side that fills the ring ("writer").</summary>
    public const int ProducerIndexOffset = 0;
    /// <summary>u32 consumer index: written only by the side that drains the ring ("reader").</summary>
    public const int ConsumerIndexOffset = ProducerIndexOffset + RegionLayout.BlockLength;
    /// <summary>First entry. Entries are 8-byte buffer offsets (fill, TX completion) or 16-byte descriptors.</summary>
    public const int EntriesOffset = ConsumerIndexOffset + RegionLayout.BlockLength;

    /// <summary>Smallest ring: 2^4 entries.</summary>
    public const int MinSizeLog2 = 4;
    /// <summary>Largest ring: 2^15 entries.</summary>
    public const int MaxSizeLog2 = 15;

    /// <summary>Bytes a ring of <paramref name="size"/> entries of <paramref name="entryLength"/> bytes occupies.</summary>
    public static int Length(int size, int entryLength) => EntriesOffset + size * entryLength;
}
