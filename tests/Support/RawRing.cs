using Ring.Layout;

namespace Ring.Tests.Support;

/// <summary>A descriptor's three fields as a peer writes them (the generation bit is the ring's business).</summary>
internal readonly record struct RawDescriptor(ulong Offset, uint Length, DescriptorFlags Flags)
{
    /// <summary>A well-formed descriptor: END_OF_PACKET set.</summary>
    public static RawDescriptor Packet(ulong offset, uint length) => new(offset, length, DescriptorFlags.EndOfPacket);
}

/// <summary>
/// One ring of a mapped region seen byte by byte, as another process would: entry <c>n</c> (a free-running u32)
/// sits in slot <c>n &amp; (size - 1)</c> and is ready when it carries generation <c>((n &gt;&gt; log2) &amp; 1) ^ 1</c>
/// (<see cref="RingLayout"/>). The arithmetic here is written out again, apart from the library's ring views, so a
/// test that uses it checks those views rather than repeats them. <see cref="Next"/> is this peer's own place in the
/// ring, for the <c>Post...</c> and <c>Take...</c> helpers that play the peer's role.
/// </summary>
/// <remarks>
/// Stores that publish (a buffer entry, a descriptor's control word) are Volatile writes after the rest of the entry,
/// and loads that look for readiness are Volatile reads before the rest, as a correct peer does; the tests forge
/// contents, not orderings.
/// </remarks>
internal sealed unsafe class RawRing(byte* entries, int size, int entryLength)
{
    private const int GenerationFlagShift = 15; // DescriptorFlags.Generation

    /// <summary>The first entry's address in this process.</summary>
    public byte* Entries { get; } = entries;

    /// <summary>Entries in the ring.</summary>
    public int Size { get; } = size;

    /// <summary>log2 of <see cref="Size"/>.</summary>
    public int Log2 { get; } = System.Numerics.BitOperations.Log2((uint)size);

    /// <summary>Bytes per entry: <see cref="DescriptorLayout.Length"/> or <see cref="DescriptorLayout.BufferEntryLength"/>.</summary>
    public int EntryLength { get; } = entryLength;

    /// <summary>Bytes the ring occupies.</summary>
    public int Length => Size * EntryLength;

    /// <summary>This peer's own place: the next entry it writes (as a writer) or reads (as a reader).</summary>
    public uint Next { get; set; }

    /// <summary>The generation entry <paramref name="n"/> carries when it is ready: 1 on the first lap, flipping every lap.</summary>
    public uint GenerationOf(uint n) => ((n >> Log2) & 1) ^ 1;

    /// <summary>The address of the slot that holds entry <paramref name="n"/>.</summary>
    public byte* Slot(uint n) => Entries + (long)(n & (uint)(Size - 1)) * EntryLength;

    /// <summary>Writes buffer entry <paramref name="n"/>: <paramref name="offset"/> (bit 0 is the generation, so it is
    /// cleared) with the generation of its lap, or, when not <paramref name="ready"/>, the other one.</summary>
    public void WriteBuffer(uint n, ulong offset, bool ready = true)
    {
        ulong generation = ready ? GenerationOf(n) : GenerationOf(n) ^ 1;
        Volatile.Write(ref *(ulong*)Slot(n), (offset & ~DescriptorLayout.BufferEntryGeneration) | generation);
    }

    /// <summary>The raw u64 in the slot of buffer entry <paramref name="n"/>.</summary>
    public ulong RawBuffer(uint n) => Volatile.Read(ref *(ulong*)Slot(n));

    /// <summary>Whether buffer entry <paramref name="n"/> is ready, and its offset.</summary>
    public bool ReadBuffer(uint n, out ulong offset)
    {
        ulong raw = RawBuffer(n);
        offset = raw & ~DescriptorLayout.BufferEntryGeneration;
        return (raw & DescriptorLayout.BufferEntryGeneration) == GenerationOf(n);
    }

    /// <summary>Writes descriptor <paramref name="n"/>: the offset, then the control word (length, flags with the
    /// generation bit of its lap, or the other one when not <paramref name="ready"/>) with release.</summary>
    public void WriteDescriptor(uint n, RawDescriptor d, bool ready = true)
    {
        byte* slot = Slot(n);
        *(ulong*)(slot + DescriptorLayout.BufferOffsetOffset) = d.Offset;
        uint generation = ready ? GenerationOf(n) : GenerationOf(n) ^ 1;
        ushort flags = (ushort)(((ushort)d.Flags & ~(1 << GenerationFlagShift)) | (int)(generation << GenerationFlagShift));
        ulong control = d.Length | (ulong)flags << (8 * (DescriptorLayout.FlagsOffset - DescriptorLayout.LengthOffset));
        Volatile.Write(ref *(ulong*)(slot + DescriptorLayout.LengthOffset), control);
    }

    /// <summary>Whether descriptor <paramref name="n"/> is ready, and its fields (flags without the generation bit).</summary>
    public bool ReadDescriptor(uint n, out RawDescriptor d)
    {
        byte* slot = Slot(n);
        ushort flags = Volatile.Read(ref *(ushort*)(slot + DescriptorLayout.FlagsOffset));
        d = new RawDescriptor(*(ulong*)(slot + DescriptorLayout.BufferOffsetOffset), *(uint*)(slot + DescriptorLayout.LengthOffset),
            (DescriptorFlags)(flags & ~(1 << GenerationFlagShift)));
        return (uint)(flags >> GenerationFlagShift) == GenerationOf(n);
    }

    /// <summary>As the ring's writer: posts <paramref name="offsets"/> at <see cref="Next"/>, back to front, and moves on.</summary>
    public void PostBuffers(params ReadOnlySpan<ulong> offsets)
    {
        for (int i = offsets.Length - 1; i >= 0; i--)
            WriteBuffer(Next + (uint)i, offsets[i]);
        Next += (uint)offsets.Length;
    }

    /// <summary>As the ring's writer: posts <paramref name="descriptors"/> at <see cref="Next"/>, back to front, and moves on.</summary>
    public void PostDescriptors(params ReadOnlySpan<RawDescriptor> descriptors)
    {
        for (int i = descriptors.Length - 1; i >= 0; i--)
            WriteDescriptor(Next + (uint)i, descriptors[i]);
        Next += (uint)descriptors.Length;
    }

    /// <summary>As the ring's reader: takes <paramref name="count"/> buffer entries at <see cref="Next"/>; each must be ready.</summary>
    public ulong[] TakeBuffers(int count)
    {
        var taken = new ulong[count];
        for (int i = 0; i < count; i++)
            Assert.True(ReadBuffer(Next + (uint)i, out taken[i]), $"buffer entry {Next + (uint)i} is not ready");
        Next += (uint)count;
        return taken;
    }

    /// <summary>As the ring's reader: takes every ready buffer entry at <see cref="Next"/>.</summary>
    public List<ulong> TakeReadyBuffers()
    {
        var taken = new List<ulong>();
        while (taken.Count < Size && ReadBuffer(Next, out ulong offset))
        {
            taken.Add(offset);
            Next++;
        }
        return taken;
    }

    /// <summary>As the ring's reader: takes <paramref name="count"/> descriptors at <see cref="Next"/>; each must be ready.</summary>
    public RawDescriptor[] TakeDescriptors(int count)
    {
        var taken = new RawDescriptor[count];
        for (int i = 0; i < count; i++)
            Assert.True(ReadDescriptor(Next + (uint)i, out taken[i]), $"descriptor {Next + (uint)i} is not ready");
        Next += (uint)count;
        return taken;
    }

    /// <summary>A copy of the ring's bytes, to show that a call wrote nothing.</summary>
    public byte[] Snapshot() => new ReadOnlySpan<byte>(Entries, Length).ToArray();
}
