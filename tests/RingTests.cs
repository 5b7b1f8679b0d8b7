using CsCheck;
using Ring.Layout;
using Ring.Memory;
using Ring.Rings;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The ring views (<see cref="DescriptorReader"/>, <see cref="DescriptorWriter"/>, <see cref="BufferReader"/>,
/// <see cref="BufferWriter"/> over a <see cref="RingPosition"/>) on the rings of a real mapped region: the TX ring for
/// descriptors, the RX fill ring for buffer entries. Nothing else touches these rings. What the views wrote is read
/// back byte by byte through <see cref="RawRing"/>, whose generation arithmetic is written out apart from the
/// library's, so the tests tie the views to <see cref="DescriptorLayout"/> and <see cref="RingLayout"/>.
/// </summary>
public sealed unsafe class RingTests : IDisposable
{
    private const int Size = 16;
    private static readonly RegionGeometry Geometry = RegionGeometry.ForQueues(1, Size, 64);

    private readonly HostilePeer _region = HostilePeer.CreateAsGuest(Deadline.UniqueRegionName(), Geometry);

    /// <summary>Which of the two entry kinds a test runs on.</summary>
    public enum Kind
    {
        /// <summary>16-byte descriptors (RX completion, TX).</summary>
        Descriptors,

        /// <summary>8-byte buffer entries (RX fill, TX completion).</summary>
        BufferEntries,
    }

    public static TheoryData<Kind> Kinds => new(Kind.Descriptors, Kind.BufferEntries);

    public void Dispose() => _region.Dispose();

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TryRead_ZeroedRing_IsNotReady(Kind kind)
    {
        var ring = Position(kind);

        for (int i = 0; i < Size; i++)
            Assert.False(TryRead(kind, ring, i, out _), $"entry {i} of a zeroed ring reads ready");
        Assert.False(FirstReady(kind, ring));
    }

    [Fact]
    public void DescriptorWriter_FirstLap_WritesGeneration1AndEveryFieldAtItsLayoutOffset()
    {
        var ring = Position(Kind.Descriptors);
        byte* slot = Raw(Kind.Descriptors).Slot(3);
        *(ushort*)(slot + DescriptorLayout.ReservedOffset) = 0xBEEF; // whatever was there before

        new DescriptorWriter(ring).Write(3, 0xFEDC_BA98_7654_3200, 0xFFFF_FFFE, DescriptorFlags.EndOfPacket);

        Assert.Equal(0xFEDC_BA98_7654_3200UL, *(ulong*)(slot + DescriptorLayout.BufferOffsetOffset));
        Assert.Equal(0xFFFF_FFFEu, *(uint*)(slot + DescriptorLayout.LengthOffset));
        Assert.Equal((ushort)(DescriptorFlags.EndOfPacket | DescriptorFlags.Generation), *(ushort*)(slot + DescriptorLayout.FlagsOffset));
        Assert.Equal(0, *(ushort*)(slot + DescriptorLayout.ReservedOffset));
        Assert.True(new DescriptorReader(ring).TryRead(3, out ulong offset, out ulong control));
        Assert.Equal(0xFEDC_BA98_7654_3200UL, offset);
        Assert.Equal(0xFFFF_FFFEu, Descriptor.Length(control));
        Assert.Equal(DescriptorFlags.EndOfPacket | DescriptorFlags.Generation, Descriptor.Flags(control));
        Assert.True(Raw(Kind.Descriptors).ReadDescriptor(3, out _));
        AssertOtherSlotsZero(Kind.Descriptors, written: 3);
    }

    [Fact]
    public void BufferWriter_FirstLap_WritesOffsetWithGenerationInBit0AtItsSlot()
    {
        var ring = Position(Kind.BufferEntries);

        new BufferWriter(ring).Write(5, 0x1234_5640);

        Assert.Equal(0x1234_5641UL, Raw(Kind.BufferEntries).RawBuffer(5));
        Assert.True(new BufferReader(ring).TryRead(5, out ulong offset));
        Assert.Equal(0x1234_5640UL, offset);
        AssertOtherSlotsZero(Kind.BufferEntries, written: 5);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Limit_ViewAtAnySlot_CoversTheEntriesUpToTheWrap(Kind kind)
    {
        for (uint slot = 0; slot < Size; slot++)
        {
            var reader = Position(kind, start: 3 * Size + slot);

            Assert.Equal(Size - (int)slot, Limit(kind, reader, 100));
            Assert.Equal(1, Limit(kind, reader, 1));
            Assert.Equal(0, Limit(kind, reader, 0));
        }
    }

    [Fact]
    public void DescriptorPeek_EntriesAcrossTheWrap_ReadyWithTheirLapsGeneration()
    {
        // A chained frame may straddle the wrap, where a burst's view stops: the peek reads on into the next lap.
        const uint Start = Size - 2;
        PrepareStaleLap(Kind.Descriptors, Start);
        var writer = Position(Kind.Descriptors, Start);
        var reader = Position(Kind.Descriptors, Start);
        WriteBurst(Kind.Descriptors, writer, 40, 4);

        for (int k = 0; k < 4; k++)
        {
            Assert.True(DescriptorPeek.TryRead(reader, k, out ulong offset, out ulong control), $"entry {Start + k} is not ready");
            Assert.Equal(Value(40 + (ulong)k), offset);
            Assert.Equal((uint)(offset >> 6), Descriptor.Length(control));
        }
        Assert.False(DescriptorPeek.TryRead(reader, 4, out _, out _), "the stale entry after the burst reads ready");
        Assert.Equal(2, new DescriptorReader(reader).Limit(4)); // while the view itself stops at the wrap
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Write_BurstAcrossTheEndOfTheRing_LandsInMaskedSlots(Kind kind)
    {
        var ring = Position(kind, start: Size - 2); // entries 14, 15 of lap 0, then 16, 17 of lap 1
        PrepareStaleLap(kind, Size - 2);

        WriteBurst(kind, ring, firstValue: 100, count: 4);

        var raw = Raw(kind);
        for (uint n = Size - 2; n < Size + 2; n++)
        {
            Assert.True(ReadRaw(kind, raw, n, out ulong value), $"entry {n} is not ready in slot {n & (Size - 1)}");
            Assert.Equal(Value(100 + n - (Size - 2)), value);
        }
        Assert.Equal(1u, raw.GenerationOf(Size - 1));
        Assert.Equal(0u, raw.GenerationOf(Size)); // the second lap's entries carry generation 0
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Entries_WrittenInBurstsAcrossManyLaps_AreReadInFifoOrder(Kind kind)
    {
        var writer = Position(kind);
        var reader = Position(kind);
        int[] bursts = [3, 7, 16, 1, 5, 13, 2, 11, 16, 9, 4, 16, 16, 15];
        ulong next = 0;

        foreach (int burst in bursts)
        {
            WriteBurst(kind, writer, next, burst);
            next += (ulong)burst;
            AssertReadsBurst(kind, reader, next - (ulong)burst, burst);
        }

        Assert.True(writer.Next > 8 * Size, "the bursts should lap the ring several times");
        Assert.Equal(writer.Next, reader.Next);
    }

    public static TheoryData<Kind, uint> WrapStarts
    {
        get
        {
            var data = new TheoryData<Kind, uint>();
            foreach (var kind in new[] { Kind.Descriptors, Kind.BufferEntries })
                foreach (uint start in new[] { uint.MaxValue, uint.MaxValue - 5, uint.MaxValue - Size + 1, uint.MaxValue - 3 * Size, 0x7FFF_FFFCu })
                    data.Add(kind, start);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(WrapStarts))]
    public void Positions_NearUInt32Wrap_KeepGenerationAndFifoOrder(Kind kind, uint start)
    {
        PrepareStaleLap(kind, start);
        var writer = Position(kind, start);
        var reader = Position(kind, start);
        Assert.False(FirstReady(kind, reader), "the previous lap's entries read ready");

        ulong value = 0;
        for (int lap = 0; lap < 5; lap++) // across the wrap: 2^32 is an even number of laps, so the parity carries on
        {
            foreach (int burst in new[] { 5, Size - 5 })
            {
                WriteBurst(kind, writer, value, burst);
                AssertReadsBurst(kind, reader, value, burst);
                value += (ulong)burst;
            }
        }

        Assert.Equal(unchecked(start + 5 * Size), reader.Next);
        if (start > uint.MaxValue - 5 * Size)
            Assert.True(reader.Next < start, "the positions should have wrapped past 2^32");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TryRead_StaleEntryFromPreviousLap_IsNotReady(Kind kind)
    {
        var writer = Position(kind);
        var reader = Position(kind);
        WriteBurst(kind, writer, 0, Size);
        AssertReadsBurst(kind, reader, 0, Size);

        // The reader is on lap 1 now; every slot still holds its lap-0 entry.
        for (int i = 0; i < Size; i++)
        {
            Assert.True(ReadRaw(kind, Raw(kind), (uint)i, out _), $"slot {i} lost its lap-0 entry");
            Assert.False(TryRead(kind, reader, i, out _), $"the lap-0 entry in slot {i} reads ready on lap 1");
        }
        Assert.False(FirstReady(kind, reader));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TryRead_EntryCarryingTheOtherLapsGeneration_IsNotReady(Kind kind)
    {
        var reader = Position(kind);
        var raw = Raw(kind);
        WriteRaw(kind, raw, 0, 0x40, ready: false); // as a writer a lap ahead would leave it

        Assert.False(TryRead(kind, reader, 0, out _));
        Assert.False(FirstReady(kind, reader));

        WriteRaw(kind, raw, 0, 0x40, ready: true);

        Assert.True(TryRead(kind, reader, 0, out ulong value));
        Assert.Equal(0x40UL, value);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Write_BurstBackToFront_ReaderSeesNothingUntilEntryZeroIsWritten(Kind kind)
    {
        // Agrona's in-order verification: the burst is published by its first entry, stored last.
        const int K = 6;
        var writer = Position(kind);
        var reader = Position(kind);

        for (int i = K - 1; i >= 1; i--)
        {
            WriteOne(kind, writer, i, Value(10 + (ulong)i));
            Assert.False(FirstReady(kind, reader), $"entries {i}..{K - 1} written: the reader's place reads ready");
            Assert.False(TryRead(kind, reader, 0, out _), $"entries {i}..{K - 1} written: entry 0 reads ready");
        }
        WriteOne(kind, writer, 0, Value(10));

        Assert.True(FirstReady(kind, reader));
        for (int i = 0; i < K; i++)
        {
            Assert.True(TryRead(kind, reader, i, out ulong value), $"entry {i} is not ready once entry 0 is");
            Assert.Equal(Value(10 + (ulong)i), value);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Write_BurstsBackToFront_ConcurrentReaderNeverSeesPartOfABurst(Kind kind)
    {
        const int K = 8, Bursts = 5_000;
        long consumed = 0;
        using var stop = new CancellationTokenSource();
        var writer = Deadline.Run(() =>
        {
            var position = Position(kind);
            for (ulong b = 0; b < Bursts; b++)
            {
                // Room for a burst: the reader is at most Size - K entries behind (the library's buffer accounting).
                var spin = new SpinWait();
                while ((long)position.Next - Volatile.Read(ref consumed) > Size - K)
                {
                    if (stop.IsCancellationRequested)
                        return;
                    spin.SpinOnce();
                }
                WriteBurst(kind, position, b * K, K);
            }
        });

        try
        {
            var reader = Position(kind);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (ulong b = 0; b < Bursts; b++)
            {
                while (!FirstReady(kind, reader))
                {
                    Assert.False(writer.IsFaulted, $"the writer failed: {writer.Exception?.InnerException}");
                    Assert.True(clock.Elapsed < Deadline.Default, $"burst {b} did not arrive within {Deadline.Default.TotalSeconds:0} s");
                }
                // One pass, no waiting: the entry polled was stored last, so the whole burst must be there already.
                for (int i = 0; i < K; i++)
                {
                    Assert.True(TryRead(kind, reader, i, out ulong value), $"burst {b}: entry 0 ready, entry {i} not");
                    Assert.Equal(Value(b * K + (ulong)i), value);
                }
                reader.Next += K;
                Volatile.Write(ref consumed, reader.Next);
            }
        }
        finally
        {
            stop.Cancel(); // a failed reader must not leave the writer spinning on a region Dispose unmaps
            Deadline.Join(writer, "the writer");
        }
    }

    [Fact]
    public void DescriptorReader_OffsetWrittenControlWordStale_IsNotReady()
    {
        // Readiness is the control word's alone: an offset stored without it publishes nothing.
        var reader = Position(Kind.Descriptors);
        byte* slot = Raw(Kind.Descriptors).Slot(0);

        *(ulong*)(slot + DescriptorLayout.BufferOffsetOffset) = 0x4000;

        Assert.False(new DescriptorReader(reader).TryRead(0, out _, out _));
        Assert.False(new DescriptorReader(reader).FirstReady());
    }

    [Fact]
    public void DescriptorReader_ConcurrentWriter_OffsetReadIsNeverOlderThanTheControlWord()
    {
        // The writer stores the offset, then the control word (release); the reader loads the control word (acquire),
        // then the offset. A reader that loaded the offset first could pair a stale offset with a fresh control word,
        // which this test catches: every offset is a function of the length in the same descriptor.
        const int Entries = 20_000;
        long consumed = 0;
        using var stop = new CancellationTokenSource();
        var writer = Deadline.Run(() =>
        {
            var position = Position(Kind.Descriptors);
            for (uint n = 0; n < Entries; n++)
            {
                var spin = new SpinWait();
                while (position.Next - Volatile.Read(ref consumed) >= Size)
                {
                    if (stop.IsCancellationRequested)
                        return;
                    spin.SpinOnce();
                }
                new DescriptorWriter(position).Write(0, OffsetFor(n), n, DescriptorFlags.EndOfPacket);
                position.Next++;
            }
        });

        try
        {
            var reader = Position(Kind.Descriptors);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (uint n = 0; n < Entries; n++)
            {
                ulong offset, control;
                while (!new DescriptorReader(reader).TryRead(0, out offset, out control))
                {
                    Assert.False(writer.IsFaulted, $"the writer failed: {writer.Exception?.InnerException}");
                    Assert.True(clock.Elapsed < Deadline.Default, $"entry {n} did not arrive within {Deadline.Default.TotalSeconds:0} s");
                }
                Assert.Equal(n, Descriptor.Length(control));
                Assert.Equal(OffsetFor(n), offset);
                reader.Next++;
                Volatile.Write(ref consumed, reader.Next);
            }
        }
        finally
        {
            stop.Cancel();
            Deadline.Join(writer, "the writer");
        }

        static ulong OffsetFor(uint n) => ((ulong)n << 6) ^ 0xA5A5_0000_0000_0000;
    }

    [Fact]
    public void Positions_AnyStartAndBursts_KeepGenerationAndFifoOrder()
    {
        Gen.Select(Gen.UInt, Gen.Int[1, Size].Array[1, 40], Gen.Enum<Kind>()).Sample((start, bursts, kind) =>
        {
            ClearRings();
            PrepareStaleLap(kind, start);
            var writer = Position(kind, start);
            var reader = Position(kind, start);
            var raw = Raw(kind);
            ulong value = 0;
            foreach (int burst in bursts)
            {
                uint first = writer.Next;
                WriteBurst(kind, writer, value, burst);
                for (uint i = 0; i < burst; i++)
                {
                    uint n = first + i;
                    uint generation = kind == Kind.Descriptors
                        ? (uint)(*(ushort*)(raw.Slot(n) + DescriptorLayout.FlagsOffset) >> 15)
                        : (uint)(raw.RawBuffer(n) & 1);
                    Assert.Equal(((n >> 4) & 1) ^ 1, generation); // log2 16 = 4
                }
                AssertReadsBurst(kind, reader, value, burst);
                value += (ulong)burst;
            }
        }, iter: 500, threads: 1);
    }

    /// <summary>The test's value for entry <paramref name="i"/>, as a pool offset (a multiple of 64, so bit 0 is free).</summary>
    private static ulong Value(ulong i) => (i + 1) << 6;

    private RawRing Raw(Kind kind) => kind == Kind.Descriptors ? _region.Queue().Tx : _region.Queue().Fill;

    private RingPosition Position(Kind kind, uint start = 0) => new(Raw(kind).Entries, Size) { Next = start };

    /// <summary>Fills the ring with the lap before <paramref name="start"/>, as a ring that ran up to it holds.</summary>
    private void PrepareStaleLap(Kind kind, uint start)
    {
        var raw = Raw(kind);
        for (uint k = 0; k < Size; k++)
            WriteRaw(kind, raw, unchecked(start - Size + k), 0xDEAD_0000 + ((ulong)k << 6), ready: true);
    }

    private void ClearRings()
    {
        new Span<byte>(Raw(Kind.Descriptors).Entries, Raw(Kind.Descriptors).Length).Clear();
        new Span<byte>(Raw(Kind.BufferEntries).Entries, Raw(Kind.BufferEntries).Length).Clear();
    }

    private static void WriteRaw(Kind kind, RawRing raw, uint n, ulong value, bool ready)
    {
        if (kind == Kind.Descriptors)
            raw.WriteDescriptor(n, RawDescriptor.Packet(value, (uint)(value >> 6)), ready);
        else
            raw.WriteBuffer(n, value, ready);
    }

    private static bool ReadRaw(Kind kind, RawRing raw, uint n, out ulong value)
    {
        if (kind == Kind.BufferEntries)
            return raw.ReadBuffer(n, out value);
        bool ready = raw.ReadDescriptor(n, out var d);
        value = d.Offset;
        return ready;
    }

    /// <summary>Writes values <paramref name="firstValue"/>.. as one burst, back to front, and moves the writer on.</summary>
    private static void WriteBurst(Kind kind, RingPosition writer, ulong firstValue, int count)
    {
        for (int i = count - 1; i >= 0; i--)
            WriteOne(kind, writer, i, Value(firstValue + (ulong)i));
        writer.Next += (uint)count;
    }

    private static void WriteOne(Kind kind, RingPosition writer, int i, ulong value)
    {
        if (kind == Kind.Descriptors)
            new DescriptorWriter(writer).Write(i, value, (uint)(value >> 6), DescriptorFlags.EndOfPacket);
        else
            new BufferWriter(writer).Write(i, value);
    }

    private static bool TryRead(Kind kind, RingPosition reader, int i, out ulong value)
    {
        if (kind == Kind.BufferEntries)
            return new BufferReader(reader).TryRead(i, out value);
        bool ready = new DescriptorReader(reader).TryRead(i, out value, out ulong control);
        if (ready)
        {
            Assert.Equal((uint)(value >> 6), Descriptor.Length(control));
            Assert.Equal(DescriptorFlags.EndOfPacket, Descriptor.Flags(control) & ~DescriptorFlags.Generation);
        }
        return ready;
    }

    private static bool FirstReady(Kind kind, RingPosition reader) =>
        kind == Kind.Descriptors ? new DescriptorReader(reader).FirstReady() : new BufferReader(reader).FirstReady();

    /// <summary>The reader finds exactly <paramref name="count"/> entries, values <paramref name="firstValue"/>.. in order,
    /// and nothing after them; then it moves on. It reads as the library does: a view covers the entries up to the
    /// ring's wrap, and the next view starts the new lap.</summary>
    private static void AssertReadsBurst(Kind kind, RingPosition reader, ulong firstValue, int count)
    {
        Assert.True(FirstReady(kind, reader), $"entry {reader.Next} is not ready");
        int read = 0;
        while (read < count)
        {
            int limit = Limit(kind, reader, count - read);
            Assert.InRange(limit, 1, Size - (int)(reader.Next & (Size - 1)));
            for (int i = 0; i < limit; i++)
            {
                Assert.True(TryRead(kind, reader, i, out ulong value), $"entry {reader.Next + (uint)i} is not ready");
                Assert.Equal(Value(firstValue + (ulong)(read + i)), value);
            }
            reader.Next += (uint)limit;
            read += limit;
        }
        Assert.False(FirstReady(kind, reader), $"entry {reader.Next}, not written yet, reads ready");
    }

    private static int Limit(Kind kind, RingPosition reader, int wanted) =>
        kind == Kind.Descriptors ? new DescriptorReader(reader).Limit(wanted) : new BufferReader(reader).Limit(wanted);

    private void AssertOtherSlotsZero(Kind kind, int written)
    {
        var raw = Raw(kind);
        for (uint slot = 0; slot < Size; slot++)
            if (slot != written)
                Assert.True(new ReadOnlySpan<byte>(raw.Slot(slot), raw.EntryLength).IndexOfAnyExcept((byte)0) < 0, $"slot {slot} was written");
    }
}
