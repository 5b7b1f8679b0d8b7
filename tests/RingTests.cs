using Ring.Layout;
using Ring.Region;
using Ring.Rings;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// <see cref="RingWriter{T}"/> and <see cref="RingReader{T}"/> over the rings of a real mapped region. Both halves
/// are built on this process's own mapping of the file (nothing else touches these rings); the shared indices and
/// slots are checked through the layout offsets, so the tests also tie the code to <see cref="RingLayout"/>.
/// </summary>
public sealed class RingTests : IDisposable
{
    private const int Size = 16;
    private static readonly RegionGeometry Geometry = RegionGeometry.ForQueues(1, Size, 64);

    private readonly Driver _driver;
    private readonly HostilePeer _peer;
    private readonly long _ring; // the RX fill ring: 8-byte entries

    public RingTests()
    {
        _driver = RegionPair.CreateDriver(Geometry);
        _peer = new HostilePeer(_driver.Path, Geometry);
        _ring = _peer.Rings.RxFill;
    }

    public void Dispose()
    {
        _peer.Dispose();
        _driver.Dispose();
    }

    [Fact]
    public void Peek_EmptyRing_ReturnsZeroAndLeavesConsumerIndex()
    {
        var reader = Reader();

        Assert.Equal(0, reader.Peek(Size));
        Assert.Equal(0u, reader.ConsumerIndex);
        Assert.Equal(0u, _peer.ConsumerIndex(_ring));
    }

    [Fact]
    public void Reserve_EmptyRing_ReturnsWholeRing()
    {
        Assert.Equal(Size, Writer().Reserve(Size));
    }

    [Fact]
    public void Reserve_FullRing_ReturnsZero()
    {
        var writer = Writer();
        Write(writer, 0, Size);

        Assert.Equal(0, writer.Reserve(1));
        Assert.Equal((uint)Size, _peer.ProducerIndex(_ring));
    }

    [Theory]
    [InlineData(0, 40, 16)]
    [InlineData(10, 40, 6)]
    [InlineData(10, 6, 6)]
    [InlineData(15, 2, 1)]
    public void Reserve_BurstLargerThanFree_ReturnsWhatFits(int written, int wanted, int expected)
    {
        var writer = Writer();
        Write(writer, 0, written);

        Assert.Equal(expected, writer.Reserve(wanted));
    }

    [Theory]
    [InlineData(5, 16, 5)]
    [InlineData(5, 3, 3)]
    [InlineData(16, 40, 16)]
    public void Peek_BurstLargerThanAvailable_ReturnsWhatIsReady(int written, int wanted, int expected)
    {
        Write(Writer(), 0, written);

        Assert.Equal(expected, Reader().Peek(wanted));
    }

    [Fact]
    public void Set_BeforeSubmit_IsNotVisibleToReader()
    {
        var writer = Writer();
        var reader = Reader();
        Assert.Equal(4, writer.Reserve(4));
        for (int i = 0; i < 4; i++)
            writer.Set(i, 100UL + (ulong)i);

        Assert.Equal(0, reader.Peek(4));
        Assert.Equal(0u, _peer.ProducerIndex(_ring));

        writer.Submit(4);

        Assert.Equal(4u, _peer.ProducerIndex(_ring));
        Assert.Equal(4, reader.Peek(4));
    }

    [Fact]
    public void Set_WritesEntryAtLayoutSlot()
    {
        var writer = Writer();
        writer.Reserve(3);
        writer.Set(0, 0x1111);
        writer.Set(2, 0x3333);
        writer.Submit(3);

        Assert.Equal(0x1111UL, _peer.ReadOffsetEntry(_ring, 0));
        Assert.Equal(0x3333UL, _peer.ReadOffsetEntry(_ring, 2));
    }

    [Fact]
    public void Release_FreesSlotsForWriter()
    {
        var writer = Writer();
        var reader = Reader();
        Write(writer, 0, Size);

        Assert.Equal(5, reader.Peek(5));
        reader.Release(5);

        Assert.Equal(5u, reader.ConsumerIndex);
        Assert.Equal(5u, _peer.ConsumerIndex(_ring));
        Assert.Equal(5, writer.Reserve(Size));
    }

    [Fact]
    public void Peek_WithoutRelease_KeepsEntriesForNextPeek()
    {
        var writer = Writer();
        var reader = Reader();
        Write(writer, 7, 3);

        Assert.Equal(3, reader.Peek(3));
        Assert.Equal(3, reader.Peek(3));

        Assert.Equal([7UL, 8UL, 9UL], Enumerable.Range(0, 3).Select(reader.Get));
        Assert.Equal(0u, _peer.ConsumerIndex(_ring));
        Assert.Equal(Size - 3, writer.Reserve(Size));
    }

    [Fact]
    public void Entries_WrittenInBurstsAcrossManyLaps_AreReadInFifoOrder()
    {
        var writer = Writer();
        var reader = Reader();
        int[] bursts = [3, 7, 16, 1, 5, 13, 2, 11, 16, 9, 4];
        ulong next = 0, expected = 0;

        foreach (int burst in bursts)
        {
            next += (ulong)Write(writer, next, burst);
            int n = reader.Peek(burst + 3); // ask for more than was written: VARIABLE, gets what is there
            for (int i = 0; i < n; i++)
                Assert.Equal(expected++, reader.Get(i));
            reader.Release(n);
        }

        Assert.Equal(next, expected);
        Assert.True(next > 4 * Size, "the bursts should lap the ring several times");
        Assert.Equal((uint)next, _peer.ProducerIndex(_ring));
        Assert.Equal((uint)next, _peer.ConsumerIndex(_ring));
    }

    [Fact]
    public void Entries_AfterWrapAround_LandInMaskedSlots()
    {
        var writer = Writer();
        var reader = Reader();
        Write(writer, 0, 12);
        reader.Peek(12);
        reader.Release(12);

        Write(writer, 12, 10); // indices 12..21: slots 12..15 then 0..5

        for (uint index = 12; index < 22; index++)
            Assert.Equal((ulong)index, _peer.ReadOffsetEntry(_ring, index & (Size - 1)));
        Assert.Equal(10, reader.Peek(Size));
        Assert.Equal(12UL, reader.Get(0));
        Assert.Equal(21UL, reader.Get(9));
    }

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData(uint.MaxValue - 5)]
    [InlineData(uint.MaxValue - Size + 1)]
    [InlineData(0x7FFF_FFFCu)] // across the sign bit, in case anything compares as int
    public void Indices_NearUInt32Wrap_KeepCountsAndFifoOrder(uint start)
    {
        _peer.SetProducerIndex(_ring, start);
        _peer.SetConsumerIndex(_ring, start);
        var writer = Writer();
        var reader = Reader();

        Assert.Equal(start, writer.ProducerIndex);
        Assert.Equal(start, reader.ConsumerIndex);
        Assert.Equal(0, reader.Peek(Size));
        Assert.Equal(Size, writer.Reserve(40));

        Write(writer, 0, Size); // fills the ring across the wrap
        Assert.Equal(0, writer.Reserve(1));
        Assert.Equal(Size, reader.Peek(40));

        ulong next = Size, expected = 0;
        for (int lap = 0; lap < 3; lap++)
        {
            int n = reader.Peek(Size);
            for (int i = 0; i < n; i++)
                Assert.Equal(expected++, reader.Get(i));
            reader.Release(n);
            next += (ulong)Write(writer, next, Size);
        }

        uint end = unchecked(start + 4 * Size);
        Assert.Equal(end, writer.ProducerIndex);
        Assert.Equal(end, _peer.ProducerIndex(_ring));
        Assert.Equal(unchecked(end - Size), _peer.ConsumerIndex(_ring));
        Assert.Equal(Size, reader.Peek(Size));
        Assert.Equal(expected, reader.Get(0));
    }

    [Theory]
    [InlineData(17u, 0u)]
    [InlineData(5u, uint.MaxValue - 20)] // 26 apart across the wrap
    [InlineData(0u, 1u)]                  // consumer ahead of producer
    public void Constructor_IndicesMoreThanRingApart_Throws(uint producer, uint consumer)
    {
        _peer.SetProducerIndex(_ring, producer);
        _peer.SetConsumerIndex(_ring, consumer);

        var readerError = Assert.Throws<RingProtocolException>(() => Reader());
        var writerError = Assert.Throws<RingProtocolException>(() => Writer());

        Assert.Equal(ViolationCode.ProducerIndexJump, readerError.Code);
        Assert.Equal(ViolationCode.ConsumerIndexJump, writerError.Code);
    }

    [Fact]
    public void Constructor_FullRingAcrossWrap_Attaches()
    {
        _peer.SetProducerIndex(_ring, 5);
        _peer.SetConsumerIndex(_ring, unchecked(5u - Size));

        Assert.Equal(Size, Reader().Peek(40));
        Assert.Equal(0, Writer().Reserve(1));
    }

    [Fact]
    public void Reserve_CachedConsumerCoversBurst_DoesNotReadSharedIndex()
    {
        var writer = Writer();
        Write(writer, 0, 4);
        _peer.SetConsumerIndex(_ring, 1000); // garbage the writer has no reason to look at yet

        Assert.Equal(Size - 4, writer.Reserve(Size - 4));

        var error = Assert.Throws<RingProtocolException>(() => writer.Reserve(Size));
        Assert.Equal(ViolationCode.ConsumerIndexJump, error.Code);
    }

    [Fact]
    public void Peek_CachedProducerCoversBurst_DoesNotReadSharedIndex()
    {
        var reader = Reader();
        Write(Writer(), 0, 8);
        Assert.Equal(8, reader.Peek(8));
        _peer.SetProducerIndex(_ring, 1000);

        Assert.Equal(8, reader.Peek(8));

        var error = Assert.Throws<RingProtocolException>(() => reader.Peek(9));
        Assert.Equal(ViolationCode.ProducerIndexJump, error.Code);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(uint.MaxValue - 3)]
    public void Peek_ProducerIndexJumpsPastRingSize_ThrowsProducerIndexJump(uint start)
    {
        _peer.SetProducerIndex(_ring, start);
        _peer.SetConsumerIndex(_ring, start);
        var reader = Reader();
        _peer.SetProducerIndex(_ring, unchecked(start + Size + 1));

        var error = Assert.Throws<RingProtocolException>(() => reader.Peek(1));

        Assert.Equal(ViolationCode.ProducerIndexJump, error.Code);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(uint.MaxValue - 3)]
    public void Reserve_ConsumerIndexPastProducer_ThrowsConsumerIndexJump(uint start)
    {
        _peer.SetProducerIndex(_ring, start);
        _peer.SetConsumerIndex(_ring, start);
        var writer = Writer();
        Write(writer, 0, Size);
        _peer.SetConsumerIndex(_ring, unchecked(start + Size + 1));

        var error = Assert.Throws<RingProtocolException>(() => writer.Reserve(1));

        Assert.Equal(ViolationCode.ConsumerIndexJump, error.Code);
    }

    [Fact]
    public void DescriptorRing_Entry_RoundTripsEveryField()
    {
        long ring = _peer.Rings.Tx;
        var writer = RingHalves.Writer<Descriptor>(_peer.Address(ring), Size, "test TX");
        var reader = RingHalves.Reader<Descriptor>(_peer.Address(ring), Size, "test TX");
        var sent = new Descriptor(0xFEDC_BA98_7654_3210, 0xFFFF_FFFE, DescriptorFlags.EndOfPacket);

        writer.Reserve(1);
        writer.Set(0, sent);
        writer.Submit(1);

        Assert.Equal(1, reader.Peek(1));
        var received = reader.Get(0);
        var raw = _peer.ReadDescriptor(ring, 0);
        foreach (var d in new[] { received, raw })
        {
            Assert.Equal(sent.BufferOffset, d.BufferOffset);
            Assert.Equal(sent.Length, d.Length);
            Assert.Equal(sent.Flags, d.Flags);
        }
    }

    private RingWriter<ulong> Writer() => RingHalves.Writer<ulong>(_peer.Address(_ring), Size, "test fill");

    private RingReader<ulong> Reader() => RingHalves.Reader<ulong>(_peer.Address(_ring), Size, "test fill");

    /// <summary>Writes first, first + 1, ... in one burst of up to <paramref name="count"/>; returns how many fit.</summary>
    private static int Write(RingWriter<ulong> writer, ulong first, int count)
    {
        int n = writer.Reserve(count);
        for (int i = 0; i < n; i++)
            writer.Set(i, first + (ulong)i);
        writer.Submit(n);
        return n;
    }
}
