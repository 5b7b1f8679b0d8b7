namespace Ring.Layout;

/// <summary>
/// One single-producer/single-consumer ring: 2^log2 entries and nothing else. Entry <c>i</c> (a free-running u32
/// count of entries written) sits in slot <c>i &amp; (size - 1)</c> and carries generation
/// <c>((i &gt;&gt; log2) &amp; 1) ^ 1</c>: 1 on the first lap. Each side keeps its own count privately; the writer
/// never overruns the reader because a ring holds at least as many entries as there are buffers that can be
/// outstanding on it (see docs/LAYOUT.md, "Why no indices").
/// </summary>
internal static class RingLayout
{
    /// <summary>Smallest ring: 2^4 entries.</summary>
    public const int MinSizeLog2 = 4;
    /// <summary>Largest ring: 2^15 entries.</summary>
    public const int MaxSizeLog2 = 15;

    /// <summary>Rings start on a block boundary.</summary>
    public const int Alignment = RegionLayout.BlockLength;

    /// <summary>Bytes a ring of <paramref name="size"/> entries of <paramref name="entryLength"/> bytes occupies.</summary>
    public static int Length(int size, int entryLength) => size * entryLength;
}
