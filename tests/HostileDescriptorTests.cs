using Ring.Layout;
using Ring.Queues;
using Ring.Region;
using Ring.Rings;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// A peer that writes garbage into the rings, through its own mapping of the region. Bad entries must be dropped
/// and counted by reason, never used and never thrown on; valid buffers inside bad descriptors must come back;
/// an index that jumps is a protocol violation.
/// </summary>
public sealed class HostileDescriptorTests
{
    private const int Size = 16;
    private const int BufferSize = 64;
    private static readonly RegionGeometry Geometry = RegionGeometry.ForQueues(1, Size, BufferSize);

    /// <summary>Offsets that are not one of queue 0's RX buffers: a TX buffer, just past the pool, far past it.</summary>
    public static TheoryData<ulong> OffsetsOutsideRxBuffers => new()
    {
        (ulong)Size * BufferSize,
        (ulong)Geometry.PoolLength,
        ulong.MaxValue & ~(ulong)(BufferSize - 1),
    };

    /// <summary>Offsets inside queue 0's RX buffers that are not on a buffer boundary.</summary>
    public static TheoryData<ulong> MisalignedRxOffsets => new() { 1, BufferSize - 1, 3 * BufferSize + 8 };

    // ---- Guest side: a hostile device writes the RX completion ring ----

    [Theory]
    [MemberData(nameof(OffsetsOutsideRxBuffers))]
    public void ReceiveBurst_CompletionOffsetOutsideRxBuffers_DropsAsOutsidePool(ulong offset)
    {
        using var run = new GuestUnderAttack();
        run.Device.PostRxCompletions(new Descriptor(offset, BufferSize, DescriptorFlags.EndOfPacket));

        Assert.Equal(0, run.Queue.ReceiveBurst(run.Burst));

        Assert.Equal(1, run.Queue.RxDrops[DropReason.OffsetOutsidePool]);
        Assert.Equal(1, run.Queue.RxDrops.Total);
        Assert.Equal(1UL, run.Queue.RxCompletionsConsumed);
        Assert.Equal(1u, run.Device.ConsumerIndex(run.Device.Rings.RxCompletion));
    }

    [Theory]
    [MemberData(nameof(MisalignedRxOffsets))]
    public void ReceiveBurst_CompletionOffsetMisaligned_DropsAsMisaligned(ulong offset)
    {
        using var run = new GuestUnderAttack();
        run.Device.TakeFill(Size);
        run.Device.PostRxCompletions(new Descriptor(offset, BufferSize, DescriptorFlags.EndOfPacket));

        Assert.Equal(0, run.Queue.ReceiveBurst(run.Burst));

        Assert.Equal(1, run.Queue.RxDrops[DropReason.OffsetMisaligned]);
        Assert.Equal(1, run.Queue.RxDrops.Total);
        Assert.Equal(0, run.Queue.PostFill()); // not a buffer: nothing to take back
    }

    [Theory]
    [InlineData(BufferSize + 1u)]
    [InlineData(uint.MaxValue)]
    public void ReceiveBurst_LengthLargerThanBuffer_DropsAndTakesBufferBack(uint length)
    {
        using var run = new GuestUnderAttack();
        ulong[] taken = run.Device.TakeFill(1);
        run.Device.PostRxCompletions(new Descriptor(taken[0], length, DescriptorFlags.EndOfPacket));

        Assert.Equal(0, run.Queue.ReceiveBurst(run.Burst));

        Assert.Equal(1, run.Queue.RxDrops[DropReason.LengthTooLarge]);
        Assert.Equal(1, run.Queue.RxDrops.Total);
        AssertTakenBackOntoFill(run, taken[0]);
    }

    [Fact]
    public void ReceiveBurst_EndOfPacketMissing_DropsAndTakesBufferBack()
    {
        using var run = new GuestUnderAttack();
        ulong[] taken = run.Device.TakeFill(1);
        run.Device.PostRxCompletions(new Descriptor(taken[0], 10, DescriptorFlags.None));

        Assert.Equal(0, run.Queue.ReceiveBurst(run.Burst));

        Assert.Equal(1, run.Queue.RxDrops[DropReason.MissingEndOfPacket]);
        Assert.Equal(1, run.Queue.RxDrops.Total);
        AssertTakenBackOntoFill(run, taken[0]);
    }

    [Fact]
    public void ReceiveBurst_SameBufferCompletedTwiceInOneBurst_DeliversOnceAndDropsDuplicate()
    {
        using var run = new GuestUnderAttack();
        ulong[] taken = run.Device.TakeFill(1);
        var completion = new Descriptor(taken[0], 20, DescriptorFlags.EndOfPacket);
        run.Device.PostRxCompletions(completion, completion);

        Assert.Equal(1, run.Queue.ReceiveBurst(run.Burst));

        Assert.Equal(taken[0], run.Burst[0].Offset);
        Assert.Equal(1, run.Queue.RxDrops[DropReason.BufferNotPosted]);
        Assert.Equal(1, run.Queue.RxDrops.Total);
    }

    [Fact]
    public void ReceiveBurst_CompletionForBufferApplicationHolds_DropsAsNotPosted()
    {
        using var run = new GuestUnderAttack();
        ulong[] taken = run.Device.TakeFill(1);
        run.Device.PostRxCompletions(new Descriptor(taken[0], 20, DescriptorFlags.EndOfPacket));
        Assert.Equal(1, run.Queue.ReceiveBurst(run.Burst));
        var held = run.Burst[0];

        run.Device.PostRxCompletions(new Descriptor(taken[0], 30, DescriptorFlags.EndOfPacket));

        Assert.Equal(0, run.Queue.ReceiveBurst(run.Burst));
        Assert.Equal(1, run.Queue.RxDrops[DropReason.BufferNotPosted]);
        run.Queue.Recycle([held]); // the application still owns it: the forged completion did not take it away
        Assert.Equal(taken[0], run.Device.ReadOffsetEntry(run.Device.Rings.RxFill, Size));
    }

    [Fact]
    public void ReceiveBurst_GoodAndBadMixed_ReturnsOnlyGoodInOrderAndCountsEachReason()
    {
        using var run = new GuestUnderAttack();
        ulong[] t = run.Device.TakeFill(4);
        run.Device.PostRxCompletions(
            new Descriptor(t[0], 64, DescriptorFlags.EndOfPacket),
            new Descriptor((ulong)Geometry.PoolLength, 64, DescriptorFlags.EndOfPacket),
            new Descriptor(t[1] + 1, 64, DescriptorFlags.EndOfPacket),
            new Descriptor(t[1], 64, DescriptorFlags.None),
            new Descriptor(t[2], 10, DescriptorFlags.EndOfPacket),
            new Descriptor(t[3], BufferSize + 1, DescriptorFlags.EndOfPacket),
            new Descriptor(t[0], 64, DescriptorFlags.EndOfPacket),
            new Descriptor(t[2] + BufferSize * Size, 10, DescriptorFlags.EndOfPacket));

        int n = run.Queue.ReceiveBurst(run.Burst);

        Assert.Equal(2, n);
        Assert.Equal((t[0], 64), (run.Burst[0].Offset, run.Burst[0].Length));
        Assert.Equal((t[2], 10), (run.Burst[1].Offset, run.Burst[1].Length));
        var drops = run.Queue.RxDrops;
        Assert.Equal(2, drops[DropReason.OffsetOutsidePool]);
        Assert.Equal(1, drops[DropReason.OffsetMisaligned]);
        Assert.Equal(1, drops[DropReason.MissingEndOfPacket]);
        Assert.Equal(1, drops[DropReason.LengthTooLarge]);
        Assert.Equal(1, drops[DropReason.BufferNotPosted]);
        Assert.Equal(6, drops.Total);
        Assert.Equal(8UL, run.Queue.RxCompletionsConsumed);
        Assert.Equal(8u, run.Device.ConsumerIndex(run.Device.Rings.RxCompletion));
        Assert.Equal(2, run.Queue.PostFill()); // t[1] and t[3] came back
    }

    [Fact]
    public void Recycle_FillSlotsNotYetReleased_KeepsBuffersFreeAndPostsThemWhenRoom()
    {
        // Not hostile: DeviceQueue.CompleteRx publishes its completions before it releases the fill slots, so a
        // guest on another thread can receive and recycle buffers while the fill ring still looks full.
        using var run = new GuestUnderAttack();
        long fill = run.Device.Rings.RxFill;
        ulong[] t = run.Device.PeekFill(3);
        run.Device.PostRxCompletions(t.Select(o => new Descriptor(o, 8, DescriptorFlags.EndOfPacket)).ToArray());
        Assert.Equal(3, run.Queue.ReceiveBurst(run.Burst));
        var held = run.Burst[..3];

        run.Queue.Recycle(held[..2]); // no room: both become free, none is lost

        Assert.Equal((uint)Size, run.Device.ProducerIndex(fill));
        run.Device.ReleaseFill(3);

        run.Queue.Recycle(held[2..]); // room for all: posts it, then the two free ones

        Assert.Equal((uint)Size + 3, run.Device.ProducerIndex(fill));
        Assert.Equal(t[2], run.Device.ReadOffsetEntry(fill, Size));
        Assert.Equal(t[..2].Order(), new[] { Size + 1u, Size + 2u }.Select(i => run.Device.ReadOffsetEntry(fill, i)).Order());
        Assert.Equal(0, run.Queue.RxDrops.Total);
    }

    [Theory]
    [InlineData(Size + 1u)]
    [InlineData(uint.MaxValue)] // one behind the consumer: backwards
    public void ReceiveBurst_ProducerIndexOutOfRange_ThrowsProducerIndexJump(uint producer)
    {
        using var run = new GuestUnderAttack();
        run.Device.SetProducerIndex(run.Device.Rings.RxCompletion, producer);

        var error = Assert.Throws<RingProtocolException>(() => run.Queue.ReceiveBurst(run.Burst));

        Assert.Equal(ViolationCode.ProducerIndexJump, error.Code);
    }

    [Fact]
    public void ReceiveBurst_ProducerIndexMovesBackwards_ThrowsProducerIndexJump()
    {
        using var run = new GuestUnderAttack();
        ulong[] taken = run.Device.TakeFill(4);
        run.Device.PostRxCompletions(taken.Select(o => new Descriptor(o, 8, DescriptorFlags.EndOfPacket)).ToArray());
        Assert.Equal(2, run.Queue.ReceiveBurst(run.Burst.AsSpan(0, 2))); // has now seen producer 4
        run.Device.SetProducerIndex(run.Device.Rings.RxCompletion, 3);

        var error = Assert.Throws<RingProtocolException>(() => run.Queue.ReceiveBurst(run.Burst));

        Assert.Equal(ViolationCode.ProducerIndexJump, error.Code);
    }

    [Fact]
    public void Recycle_FillConsumerIndexPastProducer_ThrowsConsumerIndexJump()
    {
        using var run = new GuestUnderAttack();
        ulong[] taken = run.Device.TakeFill(2);
        run.Device.PostRxCompletions(taken.Select(o => new Descriptor(o, 8, DescriptorFlags.EndOfPacket)).ToArray());
        Assert.Equal(2, run.Queue.ReceiveBurst(run.Burst));
        run.Device.SetConsumerIndex(run.Device.Rings.RxFill, Size + 4); // the guest only ever posted Size

        var error = Assert.Throws<RingProtocolException>(() => run.Queue.Recycle(run.Burst.AsSpan(0, 2)));

        Assert.Equal(ViolationCode.ConsumerIndexJump, error.Code);
    }

    [Fact]
    public void Recycle_FillConsumerIndexMovesBackwards_ThrowsConsumerIndexJump()
    {
        using var run = new GuestUnderAttack();
        var fill = run.Device.Rings.RxFill;
        ulong[] first = run.Device.TakeFill(2);
        run.Device.PostRxCompletions(first.Select(o => new Descriptor(o, 8, DescriptorFlags.EndOfPacket)).ToArray());
        Assert.Equal(2, run.Queue.ReceiveBurst(run.Burst));
        run.Queue.Recycle(run.Burst.AsSpan(0, 2)); // ring full: the guest reads consumer index 2 to post these
        ulong[] second = run.Device.TakeFill(2);
        run.Device.PostRxCompletions(second.Select(o => new Descriptor(o, 8, DescriptorFlags.EndOfPacket)).ToArray());
        Assert.Equal(2, run.Queue.ReceiveBurst(run.Burst));
        run.Device.SetConsumerIndex(fill, 1); // behind the 2 the guest has seen

        var error = Assert.Throws<RingProtocolException>(() => run.Queue.Recycle(run.Burst.AsSpan(0, 2)));

        Assert.Equal(ViolationCode.ConsumerIndexJump, error.Code);
    }

    // ---- Device side: a hostile guest writes the fill and TX rings ----

    /// <summary>Offsets outside the whole pool: just past it, far past it.</summary>
    public static TheoryData<ulong> OffsetsOutsidePool => new()
    {
        (ulong)Geometry.PoolLength,
        ulong.MaxValue & ~(ulong)(BufferSize - 1),
    };

    [Theory]
    [MemberData(nameof(OffsetsOutsidePool))]
    public void TakeRxBuffers_FillEntryOutsidePool_DropsAndCounts(ulong bad)
    {
        using var run = new DeviceUnderAttack();
        var good = ForgeFill(run, slot: 3, bad);

        int n = run.Queue.TakeRxBuffers(run.Burst);

        Assert.Equal(Size - 1, n);
        Assert.Equal(good, run.Burst.Take(n).Select(p => p.Offset));
        Assert.Equal(1, run.Queue.FillDrops[DropReason.OffsetOutsidePool]);
        Assert.Equal(1, run.Queue.FillDrops.Total);
        run.Queue.CompleteRx(run.Burst.AsSpan(0, n));
        Assert.Equal((uint)Size, run.Guest.ConsumerIndex(run.Guest.Rings.RxFill)); // the bad entry is consumed too
        Assert.Equal((uint)n, run.Guest.ProducerIndex(run.Guest.Rings.RxCompletion));
    }

    [Fact]
    public void TakeRxBuffers_FillEntryMisaligned_DropsAndCounts()
    {
        using var run = new DeviceUnderAttack();
        ulong original = run.Guest.ReadOffsetEntry(run.Guest.Rings.RxFill, 5);
        var good = ForgeFill(run, slot: 5, original + 8);

        int n = run.Queue.TakeRxBuffers(run.Burst);

        Assert.Equal(Size - 1, n);
        Assert.Equal(good, run.Burst.Take(n).Select(p => p.Offset));
        Assert.Equal(1, run.Queue.FillDrops[DropReason.OffsetMisaligned]);
        Assert.Equal(1, run.Queue.FillDrops.Total);
    }

    [Fact]
    public void ReceiveTx_BadDescriptors_DropsEachByReasonAndCompletesValidBuffers()
    {
        using var run = new DeviceUnderAttack();
        var guest = run.Pair.GuestQueue;
        var sent = new Packet[5];
        Assert.Equal(5, guest.AllocateTx(sent, BufferSize));
        Assert.Equal(5, guest.SendBurst(sent));
        long tx = run.Guest.Rings.Tx;
        run.Guest.WriteDescriptor(tx, 0, (ulong)Geometry.PoolLength, 8, DescriptorFlags.EndOfPacket);
        run.Guest.WriteDescriptor(tx, 1, sent[1].Offset + 1, 8, DescriptorFlags.EndOfPacket);
        run.Guest.WriteDescriptor(tx, 2, sent[2].Offset, BufferSize + 1, DescriptorFlags.EndOfPacket);
        run.Guest.WriteDescriptor(tx, 3, sent[3].Offset, 8, DescriptorFlags.None);

        int n = run.Queue.ReceiveTx(run.Burst);

        Assert.Equal(1, n);
        Assert.Equal((sent[4].Offset, BufferSize), (run.Burst[0].Offset, run.Burst[0].Length));
        var drops = run.Queue.TxDrops;
        Assert.Equal(1, drops[DropReason.OffsetOutsidePool]);
        Assert.Equal(1, drops[DropReason.OffsetMisaligned]);
        Assert.Equal(1, drops[DropReason.LengthTooLarge]);
        Assert.Equal(1, drops[DropReason.MissingEndOfPacket]);
        Assert.Equal(4, drops.Total);

        run.Queue.CompleteTx();

        Assert.Equal(5UL, run.Queue.TxConsumed);
        Assert.Equal(5u, run.Guest.ConsumerIndex(tx)); // every slot is released, dropped ones too
        long txCompletion = run.Guest.Rings.TxCompletion;
        Assert.Equal(3, run.Guest.Count(txCompletion));
        Assert.Equal([sent[2].Offset, sent[3].Offset, sent[4].Offset],
            Enumerable.Range(0, 3).Select(i => run.Guest.ReadOffsetEntry(txCompletion, (uint)i)));
        Assert.Equal(3, guest.ReapTxCompletions());
        Assert.Equal(2, guest.TxInFlight); // the two the guest lost by overwriting their descriptors
        Assert.Equal(Size - 2, guest.TxFree);
    }

    [Theory]
    [InlineData(Size + 1u)]
    [InlineData(uint.MaxValue)]
    public void ReceiveTx_ProducerIndexOutOfRange_ThrowsProducerIndexJump(uint producer)
    {
        using var run = new DeviceUnderAttack();
        run.Guest.SetProducerIndex(run.Guest.Rings.Tx, producer);

        var error = Assert.Throws<RingProtocolException>(() => run.Queue.ReceiveTx(run.Burst));

        Assert.Equal(ViolationCode.ProducerIndexJump, error.Code);
    }

    [Fact]
    public void TakeRxBuffers_FillProducerIndexJumpsPastRingSize_ThrowsProducerIndexJump()
    {
        using var run = new DeviceUnderAttack();
        Assert.Equal(4, run.Queue.TakeRxBuffers(run.Burst.AsSpan(0, 4)));
        run.Queue.CompleteRx(run.Burst.AsSpan(0, 4));
        Assert.Equal(4, run.Pair.GuestQueue.ReceiveBurst(new Packet[4])); // frees completion slots, so the device asks for more
        run.Guest.SetProducerIndex(run.Guest.Rings.RxFill, 4 + Size + 1);

        var error = Assert.Throws<RingProtocolException>(() => run.Queue.TakeRxBuffers(run.Burst));

        Assert.Equal(ViolationCode.ProducerIndexJump, error.Code);
    }

    [Fact]
    public void TakeRxBuffers_CompletionConsumerIndexPastProducer_ThrowsConsumerIndexJump()
    {
        using var run = new DeviceUnderAttack();
        Assert.Equal(4, run.Queue.TakeRxBuffers(run.Burst.AsSpan(0, 4)));
        run.Queue.CompleteRx(run.Burst.AsSpan(0, 4));
        run.Guest.SetConsumerIndex(run.Guest.Rings.RxCompletion, 10); // only 4 were ever posted

        var error = Assert.Throws<RingProtocolException>(() => run.Queue.TakeRxBuffers(run.Burst));

        Assert.Equal(ViolationCode.ConsumerIndexJump, error.Code);
    }

    [Fact]
    public void TakeRxBuffers_CompletionConsumerIndexMovesBackwards_ThrowsConsumerIndexJump()
    {
        using var run = new DeviceUnderAttack();
        Assert.Equal(4, run.Queue.TakeRxBuffers(run.Burst.AsSpan(0, 4)));
        run.Queue.CompleteRx(run.Burst.AsSpan(0, 4));
        Assert.Equal(4, run.Pair.GuestQueue.ReceiveBurst(new Packet[4]));
        int n = run.Queue.TakeRxBuffers(run.Burst); // reads the guest's consumer index 4
        Assert.Equal(Size - 4, n);
        run.Queue.CompleteRx(run.Burst.AsSpan(0, n));
        run.Guest.SetConsumerIndex(run.Guest.Rings.RxCompletion, 2);

        var error = Assert.Throws<RingProtocolException>(() => run.Queue.TakeRxBuffers(run.Burst.AsSpan(0, 5)));

        Assert.Equal(ViolationCode.ConsumerIndexJump, error.Code);
    }

    [Fact]
    public void ReceiveTx_TxCompletionConsumerIndexPastProducer_ThrowsConsumerIndexJump()
    {
        using var run = new DeviceUnderAttack();
        var sent = new Packet[4];
        run.Pair.GuestQueue.AllocateTx(sent, BufferSize);
        run.Pair.GuestQueue.SendBurst(sent);
        Assert.Equal(4, run.Queue.ReceiveTx(run.Burst));
        run.Queue.CompleteTx();
        run.Guest.SetConsumerIndex(run.Guest.Rings.TxCompletion, 9); // only 4 were ever completed

        var error = Assert.Throws<RingProtocolException>(() => run.Queue.ReceiveTx(run.Burst));

        Assert.Equal(ViolationCode.ConsumerIndexJump, error.Code);
    }

    // ---- Header ----

    [Fact]
    public void ReportViolation_First_SetsNeedsResetAndCodeSeenByPeer()
    {
        using var driver = RegionPair.CreateDriver(Geometry);
        using var peer = new HostilePeer(driver.Path, Geometry);

        driver.Header.ReportViolation(ViolationCode.ConsumerIndexJump);

        Assert.True((driver.Header.Status & DeviceStatus.DeviceNeedsReset) != 0);
        Assert.Equal(ViolationCode.ConsumerIndexJump, driver.Header.Violation);
        Assert.True((peer.Status & DeviceStatus.DeviceNeedsReset) != 0);
        Assert.Equal(ViolationCode.ConsumerIndexJump, peer.Violation);
    }

    [Fact]
    public void ReportViolation_Twice_KeepsFirstCode()
    {
        using var driver = RegionPair.CreateDriver(Geometry);

        driver.Header.ReportViolation(ViolationCode.ProducerIndexJump);
        driver.Header.ReportViolation(ViolationCode.ConsumerIndexJump);

        Assert.Equal(ViolationCode.ProducerIndexJump, driver.Header.Violation);
    }

    [Fact]
    public void ReportViolation_RunningRegion_KeepsHandshakeBitsAndPeerCheckThrows()
    {
        using var pair = RegionPair.Start(Geometry);

        pair.Device.Header.ReportViolation(ViolationCode.ProducerIndexJump);

        var status = pair.Driver.Header.Status;
        Assert.Equal(DeviceStatus.Acknowledge | DeviceStatus.Driver | DeviceStatus.FeaturesOk | DeviceStatus.DriverOk
            | DeviceStatus.DeviceNeedsReset, status);
        var error = Assert.Throws<RingException>(() => pair.Driver.CheckPeer());
        Assert.Contains(nameof(ViolationCode.ProducerIndexJump), error.Message);
        Assert.Throws<RingException>(() => pair.Device.CheckPeer());
    }

    /// <summary>Overwrites fill slot <paramref name="slot"/> with <paramref name="bad"/>; returns the other posted offsets in order.</summary>
    private static List<ulong> ForgeFill(DeviceUnderAttack run, uint slot, ulong bad)
    {
        long fill = run.Guest.Rings.RxFill;
        Assert.Equal(Size, run.Guest.Count(fill));
        var good = Enumerable.Range(0, Size).Where(i => i != slot).Select(i => run.Guest.ReadOffsetEntry(fill, (uint)i)).ToList();
        run.Guest.WriteOffsetEntry(fill, slot, bad);
        return good;
    }

    /// <summary>The guest posted <paramref name="offset"/> again: it was taken back, not lost.</summary>
    private static void AssertTakenBackOntoFill(GuestUnderAttack run, ulong offset)
    {
        long fill = run.Device.Rings.RxFill;
        uint producer = run.Device.ProducerIndex(fill);
        Assert.Equal(1, run.Queue.PostFill());
        Assert.Equal(offset, run.Device.ReadOffsetEntry(fill, producer));
    }

    /// <summary>A real guest queue with every RX buffer posted, and a hostile device that is only a mapping.</summary>
    private sealed class GuestUnderAttack : IDisposable
    {
        private readonly Driver _driver = RegionPair.CreateDriver(Geometry);

        public GuestUnderAttack()
        {
            Device = new HostilePeer(_driver.Path, Geometry);
            Queue = _driver.Queue(0);
            Assert.Equal(Size, Queue.PostFill());
        }

        public GuestQueue Queue { get; }
        public HostilePeer Device { get; }
        public Packet[] Burst { get; } = new Packet[2 * Size];

        public void Dispose()
        {
            Device.Dispose();
            _driver.Dispose();
        }
    }

    /// <summary>A real device queue after the handshake, and a hostile guest mapping beside the real one.</summary>
    private sealed class DeviceUnderAttack : IDisposable
    {
        public DeviceUnderAttack()
        {
            Pair = RegionPair.Start(Geometry);
            Guest = Pair.OpenPeer();
        }

        public RegionPair Pair { get; }
        public DeviceQueue Queue => Pair.DeviceQueue;
        public HostilePeer Guest { get; }
        public Packet[] Burst { get; } = new Packet[Size];

        public void Dispose()
        {
            Guest.Dispose();
            Pair.Dispose();
        }
    }
}
