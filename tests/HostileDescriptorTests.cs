using CsCheck;
using Ring.Layout;
using Ring.Memory;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// A peer that writes garbage into the rings through a mapping of its own, with the generation bits that make each
/// entry "ready" (<see cref="HostilePeer"/>): against a real <see cref="Guest"/> it plays the device, against a real
/// <see cref="Device"/> the guest. Every bad entry must be dropped and counted by its <see cref="DropReason"/>, never
/// reach the application and never be thrown on; a valid buffer inside a bad entry must come back, so nothing is lost;
/// a flood of garbage must neither crash nor hang a side, and its counters must add up. Misuse of the API by the
/// application throws in the caller, changes nothing and writes nothing into the region.
/// </summary>
public sealed class HostileDescriptorTests
{
    private const int Size = 16;
    private const int BufferSize = 100; // 128 bytes apart: two cache lines
    // One ring's worth of buffers per direction (GuestUnderAttack's guest is made so): every buffer is on a ring or
    // held, so each one comes round again every lap, and a buffer taken back is the next one posted.
    private static readonly RegionGeometry Geometry = RegionGeometry.ForQueues(2, Size, BufferSize, buffersPerRing: Size);
    private static readonly ulong Stride = (ulong)Geometry.BufferStride;

    // ---- The guest's reader: a hostile device writes the RX completion ring ----

    /// <summary>Offsets that name no RX buffer of the queue under attack: (queue, which).</summary>
    public static TheoryData<int, string> OffsetsOutsideRxBuffers => new()
    {
        { 0, "queue 0's first TX buffer" },
        { 0, "queue 1's first RX buffer" },
        { 0, "the pool's end" },
        { 0, "far past the pool" },
        { 1, "queue 0's last RX buffer" }, // below queue 1's range: the unsigned subtraction must catch it
    };

    [Theory]
    [MemberData(nameof(OffsetsOutsideRxBuffers))]
    public async Task TryReceive_CompletionOffsetOutsideThisQueuesRxBuffers_DropsAsOutsidePool(int queue, string which)
    {
        await using var run = await GuestUnderAttack.StartAsync(queue);
        ulong offset = which switch
        {
            "queue 0's first TX buffer" => run.Device.TxBuffer(0, 0),
            "queue 1's first RX buffer" => run.Device.RxBuffer(0, 1),
            "the pool's end" => (ulong)Geometry.PoolLength,
            "far past the pool" => ulong.MaxValue - Stride + 1,
            "queue 0's last RX buffer" => run.Device.RxBuffer(Size - 1, 0),
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };
        run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(offset, 10));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));

        var counters = run.Reader.Counters;
        Assert.Equal(1, counters.DropsFor(DropReason.OffsetOutsidePool));
        Assert.Equal((1L, 1L, 0L, 0L), (counters.Drops, counters.PacketEntries, counters.Packets, counters.Held));
        Assert.Equal(0, run.Reader.TryReceive(run.Burst)); // an idle receive posts what it took back: nothing here
        Assert.False(run.Rings.Fill.ReadBuffer(Size, out _), "a buffer that is not the guest's was posted on the fill ring");
    }

    [Theory]
    [InlineData(0, 64)]     // a cache-line multiple, but not a buffer start: the stride is two lines
    [InlineData(0, 192)]
    [InlineData(0, 1)]
    [InlineData(3, 191)]
    [InlineData(15, 2)]
    public async Task TryReceive_CompletionOffsetNotABufferStart_DropsAsMisaligned(int buffer, int delta)
    {
        await using var run = await GuestUnderAttack.StartAsync();
        run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(run.Device.RxBuffer(buffer) + (ulong)delta, 10));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));

        Assert.Equal(1, run.Reader.Counters.DropsFor(DropReason.OffsetMisaligned));
        Assert.Equal(1, run.Reader.Counters.Drops);
        Assert.Equal(0, run.Reader.TryReceive(run.Burst));
        Assert.False(run.Rings.Fill.ReadBuffer(Size, out _), "a misaligned offset was taken back as a buffer");
    }

    [Theory]
    [InlineData(BufferSize + 1u)]
    [InlineData(uint.MaxValue)]
    public async Task TryReceive_LengthLargerThanBuffer_DropsAndPostsTheBufferAgain(uint length)
    {
        await using var run = await GuestUnderAttack.StartAsync();
        ulong taken = run.Rings.Fill.TakeBuffers(1)[0];
        run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(taken, length));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));

        Assert.Equal(1, run.Reader.Counters.DropsFor(DropReason.LengthTooLarge));
        Assert.Equal(1, run.Reader.Counters.Drops);
        AssertPostedAgain(run, taken);
    }

    [Fact]
    public async Task TryReceive_EndOfPacketMissing_DropsAndPostsTheBufferAgain()
    {
        await using var run = await GuestUnderAttack.StartAsync();
        ulong taken = run.Rings.Fill.TakeBuffers(1)[0];
        run.Rings.RxCompletion.PostDescriptors(new RawDescriptor(taken, 10, DescriptorFlags.None));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));

        Assert.Equal(1, run.Reader.Counters.DropsFor(DropReason.MissingEndOfPacket));
        Assert.Equal(1, run.Reader.Counters.Drops);
        AssertPostedAgain(run, taken);
    }

    [Fact]
    public async Task TryReceive_SameBufferCompletedTwiceInOneBurst_DeliversOnceAndDropsTheDuplicate()
    {
        await using var run = await GuestUnderAttack.StartAsync();
        ulong taken = run.Rings.Fill.TakeBuffers(1)[0];
        run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(taken, 20), RawDescriptor.Packet(taken, 30));

        Assert.Equal(1, run.Reader.TryReceive(run.Burst));

        Assert.Equal((taken, 20), (run.Burst[0].Offset, run.Burst[0].Length));
        Assert.Equal(1, run.Reader.Counters.DropsFor(DropReason.BufferNotOwned));
        Assert.Equal((1L, 2L, 1L), (run.Reader.Counters.Drops, run.Reader.Counters.PacketEntries, run.Reader.Counters.Held));
    }

    [Fact]
    public async Task TryReceive_CompletionForABufferTheApplicationHolds_DropsAsNotOwnedAndLeavesItHeld()
    {
        await using var run = await GuestUnderAttack.StartAsync();
        ulong taken = run.Rings.Fill.TakeBuffers(1)[0];
        run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(taken, 20));
        Assert.Equal(1, run.Reader.TryReceive(run.Burst));
        var held = run.Burst[0];

        run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(taken, 30));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));
        Assert.Equal(1, run.Reader.Counters.DropsFor(DropReason.BufferNotOwned));
        Assert.Equal(1, run.Reader.Counters.Held);
        run.Reader.Return([held]); // still the application's: the forged completion did not take it away
        Assert.True(run.Rings.Fill.ReadBuffer(Size, out ulong posted));
        Assert.Equal(taken, posted);
        Assert.Equal(0, run.Reader.Counters.Held);
    }

    [Fact]
    public async Task TryReceive_CompletionForABufferTakenBackFromABadOne_DropsAsNotOwnedAndPostsItOnce()
    {
        await using var run = await GuestUnderAttack.StartAsync();
        ulong taken = run.Rings.Fill.TakeBuffers(1)[0];
        run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(taken, BufferSize + 1), RawDescriptor.Packet(taken, 10));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));

        Assert.Equal(1, run.Reader.Counters.DropsFor(DropReason.LengthTooLarge));
        Assert.Equal(1, run.Reader.Counters.DropsFor(DropReason.BufferNotOwned));
        AssertPostedAgain(run, taken);
        Assert.False(run.Rings.Fill.ReadBuffer(Size + 1, out _), "the buffer was posted twice");
    }

    [Fact]
    public async Task TryReceive_GoodAndBadMixed_DeliversOnlyTheGoodInOrderAndCountsEachReason()
    {
        await using var run = await GuestUnderAttack.StartAsync();
        ulong[] t = run.Rings.Fill.TakeBuffers(4);
        "first"u8.CopyTo(run.PoolBytes(t[0]));
        "third"u8.CopyTo(run.PoolBytes(t[2]));
        run.Rings.RxCompletion.PostDescriptors(
            RawDescriptor.Packet(t[0], 5),
            RawDescriptor.Packet((ulong)Geometry.PoolLength, 64),
            RawDescriptor.Packet(t[1] + 64, 64),
            new RawDescriptor(t[1], 64, DescriptorFlags.None),
            RawDescriptor.Packet(t[2], 5),
            RawDescriptor.Packet(t[3], BufferSize + 1),
            RawDescriptor.Packet(t[0], 64),
            RawDescriptor.Packet(run.Device.TxBuffer(2), 10));

        Assert.Equal(2, run.Reader.TryReceive(run.Burst));

        Assert.Equal((t[0], 5), (run.Burst[0].Offset, run.Burst[0].Length));
        Assert.Equal((t[2], 5), (run.Burst[1].Offset, run.Burst[1].Length));
        Assert.Equal("first"u8.ToArray(), run.Reader.Payload(run.Burst[0]).ToArray());
        Assert.Equal("third"u8.ToArray(), run.Reader.Payload(run.Burst[1]).ToArray());
        var c = run.Reader.Counters;
        Assert.Equal(2, c.DropsFor(DropReason.OffsetOutsidePool));
        Assert.Equal(1, c.DropsFor(DropReason.OffsetMisaligned));
        Assert.Equal(1, c.DropsFor(DropReason.MissingEndOfPacket));
        Assert.Equal(1, c.DropsFor(DropReason.LengthTooLarge));
        Assert.Equal(1, c.DropsFor(DropReason.BufferNotOwned));
        Assert.Equal((6L, 8L, 2L, 10L, 2L), (c.Drops, c.PacketEntries, c.Packets, c.Bytes, c.Held));
        Assert.Equal(0, run.Reader.TryReceive(run.Burst)); // idle: t[1] and t[3] go back to the device
        Assert.Equal(new[] { t[1], t[3] }.Order(), TakePostedAfterStart(run, 2).Order());
    }

    // ---- Chained frames from a hostile peer (chained buffers negotiated) ----

    [Fact]
    public async Task TryReceive_ChainFromAHostileDevice_DeliversItWholeWithContinuations()
    {
        await using var run = await GuestUnderAttack.StartAsync(chains: true);
        ulong[] t = run.Rings.Fill.TakeBuffers(3);
        run.Rings.RxCompletion.PostDescriptors(
            new RawDescriptor(t[0], BufferSize, DescriptorFlags.None),
            new RawDescriptor(t[1], BufferSize, DescriptorFlags.None),
            RawDescriptor.Packet(t[2], 7));

        Assert.Equal(3, run.Reader.TryReceive(run.Burst));

        Assert.Equal(t, run.Burst.Take(3).Select(p => p.Offset));
        Assert.Equal([true, true, false], run.Burst.Take(3).Select(p => p.ContinuesInNext));
        Assert.Equal((0L, 3L, 3L), (run.Reader.Counters.Drops, run.Reader.Counters.Packets, run.Reader.Counters.Held));
    }

    public static TheoryData<string, DropReason> BadChainMembers => new()
    {
        { "misaligned", DropReason.OffsetMisaligned },
        { "outside", DropReason.OffsetOutsidePool },
        { "too long", DropReason.LengthTooLarge },
        { "the first again", DropReason.BufferNotOwned },
    };

    [Theory]
    [MemberData(nameof(BadChainMembers))]
    public async Task TryReceive_ChainWithABadPacket_DropsTheFrameWholeAndPostsItsGoodBuffersAgain(string bad, DropReason reason)
    {
        await using var run = await GuestUnderAttack.StartAsync(chains: true);
        ulong[] t = run.Rings.Fill.TakeBuffers(3);
        var middle = bad switch
        {
            "misaligned" => new RawDescriptor(t[1] + 64, 10, DescriptorFlags.None),
            "outside" => new RawDescriptor(run.Device.TxBuffer(0), 10, DescriptorFlags.None),
            "too long" => new RawDescriptor(t[1], BufferSize + 1, DescriptorFlags.None),
            _ => new RawDescriptor(t[0], 10, DescriptorFlags.None),
        };
        run.Rings.RxCompletion.PostDescriptors(new RawDescriptor(t[0], 10, DescriptorFlags.None), middle, RawDescriptor.Packet(t[2], 10));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));

        var c = run.Reader.Counters;
        Assert.Equal(1, c.DropsFor(reason));
        Assert.Equal(2, c.DropsFor(DropReason.ChainBroken));
        Assert.Equal((3L, 3L, 0L, 0L), (c.Drops, c.PacketEntries, c.Packets, c.Held));
        Assert.Equal(0, run.Reader.TryReceive(run.Burst)); // idle: every buffer of ours in the frame goes back
        // Only a middle packet that names t[1] (with a bad length) hands it back; otherwise t[1] is still with the device.
        ulong[] expected = bad == "too long" ? [t[0], t[1], t[2]] : [t[0], t[2]];
        Assert.Equal(expected.Order(), TakePostedAfterStart(run, expected.Length).Order());
        Assert.False(run.Rings.Fill.ReadBuffer((uint)(Size + expected.Length), out _), "a buffer was posted twice");
    }

    [Fact]
    public async Task TryReceive_ChainWithoutEndOfPacketForMaxChainLength_DropsAsTooLongAndPostsItsBuffersAgain()
    {
        await using var run = await GuestUnderAttack.StartAsync(chains: true);
        Assert.Equal(Size, run.Reader.MaxChainLength); // a ring's worth: 100-byte buffers would need 656 for 64 KiB
        ulong[] t = run.Rings.Fill.TakeBuffers(Size);
        run.Rings.RxCompletion.PostDescriptors(t.Select(o => new RawDescriptor(o, 10, DescriptorFlags.None)).ToArray());

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));

        Assert.Equal(Size, run.Reader.Counters.DropsFor(DropReason.ChainTooLong));
        Assert.Equal(Size, run.Reader.Counters.PacketEntries);
        Assert.Equal(0, run.Reader.TryReceive(run.Burst));
        Assert.Equal(t.Order(), TakePostedAfterStart(run, Size).Order());
    }

    [Fact]
    public async Task TryReceive_ChainPublishedInPart_WaitsForItsLastPacketThenDeliversItWhole()
    {
        await using var run = await GuestUnderAttack.StartAsync(chains: true);
        ulong[] t = run.Rings.Fill.TakeBuffers(2);
        run.Rings.RxCompletion.PostDescriptors(new RawDescriptor(t[0], 10, DescriptorFlags.None));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));
        Assert.Equal((0L, 0L), (run.Reader.Counters.PacketEntries, run.Reader.Counters.Drops)); // nothing consumed yet

        run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(t[1], 20));

        Assert.Equal(2, run.Reader.TryReceive(run.Burst));
        Assert.Equal([(t[0], true), (t[1], false)], run.Burst.Take(2).Select(p => (p.Offset, p.ContinuesInNext)));
    }

    [Fact]
    public async Task TryReceive_ChainCutShortByEndOfStream_DropsAsUnterminatedAndTheStreamEnds()
    {
        await using var run = await GuestUnderAttack.StartAsync(chains: true);
        ulong[] t = run.Rings.Fill.TakeBuffers(2);
        run.Rings.RxCompletion.PostDescriptors(new RawDescriptor(t[0], 10, DescriptorFlags.None), new RawDescriptor(t[1], 10, DescriptorFlags.None));
        Assert.Equal(0, run.Reader.TryReceive(run.Burst)); // waits for the frame's last packet

        // The device ends its stream after those two: the frame will never be finished.
        Volatile.Write(ref run.Rings.Word64(QueueControlLayout.RxEndOfStreamOffset), QueueControlLayout.EndOfStreamFlag | 2);

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));
        Assert.Equal(2, run.Reader.Counters.DropsFor(DropReason.ChainUnterminated));
        Assert.False(await Deadline.Within(run.Reader.WaitToReceiveAsync(), "the wait at the end of the stream"));
        Assert.True(run.Reader.Completion.IsCompletedSuccessfully, "the stream did not end");
    }

    [Fact]
    public async Task TryReceive_TxChainWithABadPacket_DropsTheFrameWholeAndCompletesEveryBufferOfIt()
    {
        await using var run = await DeviceUnderAttack.StartAsync(chains: true);
        ulong[] t = [run.Guest.TxBuffer(0), run.Guest.TxBuffer(1), run.Guest.TxBuffer(2)];
        run.Rings.Tx.PostDescriptors(
            new RawDescriptor(t[0], 10, DescriptorFlags.None),
            new RawDescriptor(t[1], BufferSize + 1, DescriptorFlags.None),
            RawDescriptor.Packet(t[2], 10));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));

        var c = run.Reader.Counters;
        Assert.Equal((1L, 2L, 3L, 0L), (c.DropsFor(DropReason.LengthTooLarge), c.DropsFor(DropReason.ChainBroken), c.Drops, c.Held));
        Assert.Equal(t.Order(), run.Rings.TxCompletion.TakeReadyBuffers().Order());
    }

    // ---- The guest's writer: a hostile device writes the TX completion ring ----

    [Fact]
    public async Task TryRent_TxCompletionsForeignDuplicateOrHeld_DropsEachAndTakesBackOnlyTheSentBuffer()
    {
        await using var run = await GuestUnderAttack.StartAsync();
        var rented = new Packet[Size];
        Assert.Equal(Size, run.Writer.TryRent(rented));
        Assert.Equal(2, run.Writer.TrySend([rented[0].WithLength(8), rented[1].WithLength(8)]));
        var sent = run.Rings.Tx.TakeDescriptors(2);
        Assert.Equal([rented[0].Offset, rented[1].Offset], sent.Select(d => d.Offset));
        run.Rings.TxCompletion.PostBuffers(
            run.Device.RxBuffer(0),          // not a TX buffer
            run.Device.TxBuffer(0, 1),       // queue 1's
            rented[5].Offset + 64,           // inside, not a buffer start
            rented[0].Offset,                // sent: comes back
            rented[0].Offset,                // again
            rented[7].Offset);               // never sent: the application holds it

        Assert.Equal(1, run.Writer.TryRent(run.Burst.AsSpan(0, 1)));

        Assert.Equal(rented[0].Offset, run.Burst[0].Offset);
        var c = run.Writer.Counters;
        Assert.Equal(2, c.DropsFor(DropReason.OffsetOutsidePool));
        Assert.Equal(1, c.DropsFor(DropReason.OffsetMisaligned));
        Assert.Equal(2, c.DropsFor(DropReason.BufferNotOwned));
        Assert.Equal((5L, 6L, (long)Size - 2 + 1), (c.Drops, c.BufferEntries, c.Held));
        Assert.Equal(0, run.Writer.TryRent(run.Burst)); // rented[1] is still with the device
    }

    [Fact]
    public async Task TryRent_TxCompletionForAFreeBuffer_DropsItAndNeverRentsItTwice()
    {
        await using var run = await GuestUnderAttack.StartAsync();
        var one = new Packet[1];
        Assert.Equal(1, run.Writer.TryRent(one));
        run.Writer.TrySend([one[0].WithLength(1)]);
        run.Rings.TxCompletion.PostBuffers(run.Device.TxBuffer(9)); // free, never sent

        Assert.Equal(Size - 1, run.Writer.TryRent(run.Burst));

        Assert.Equal(1, run.Writer.Counters.DropsFor(DropReason.BufferNotOwned));
        var offsets = run.Burst.Take(Size - 1).Select(p => p.Offset).ToList();
        Assert.Equal(offsets.Count, offsets.Distinct().Count());
        Assert.DoesNotContain(one[0].Offset, offsets);
    }

    // ---- The device's writer: a hostile guest writes the RX fill ring ----

    public static TheoryData<string> OffsetsOutsidePool => new() { "the pool's end", "far past the pool" };

    [Theory]
    [MemberData(nameof(OffsetsOutsidePool))]
    public async Task TryRent_FillEntryOutsidePool_DropsItAndRentsTheRestInOrder(string which)
    {
        await using var run = await DeviceUnderAttack.StartAsync();
        ulong bad = which == "the pool's end" ? (ulong)Geometry.PoolLength : ulong.MaxValue - Stride + 1;
        var posted = Enumerable.Range(0, Size).Select(i => run.Guest.RxBuffer(i)).ToArray();
        posted[3] = bad;
        run.Rings.Fill.PostBuffers(posted);

        Assert.Equal(Size - 1, run.Writer.TryRent(run.Burst));

        Assert.Equal(posted.Where(o => o != bad), run.Burst.Take(Size - 1).Select(p => p.Offset));
        Assert.Equal(1, run.Writer.Counters.DropsFor(DropReason.OffsetOutsidePool));
        Assert.Equal((1L, (long)Size), (run.Writer.Counters.Drops, run.Writer.Counters.BufferEntries));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(2)]
    [InlineData(192)]
    public async Task TryRent_FillEntryNotABufferStart_DropsAsMisaligned(int delta)
    {
        await using var run = await DeviceUnderAttack.StartAsync();
        run.Rings.Fill.PostBuffers(run.Guest.RxBuffer(0), run.Guest.RxBuffer(1) + (ulong)delta, run.Guest.RxBuffer(2));

        Assert.Equal(2, run.Writer.TryRent(run.Burst));

        Assert.Equal([run.Guest.RxBuffer(0), run.Guest.RxBuffer(2)], run.Burst.Take(2).Select(p => p.Offset));
        Assert.Equal(1, run.Writer.Counters.DropsFor(DropReason.OffsetMisaligned));
        Assert.Equal(1, run.Writer.Counters.Drops);
    }

    [Fact]
    public async Task TryRent_FillEntryPostedTwice_RentsItOnceAndDropsTheDuplicate()
    {
        await using var run = await DeviceUnderAttack.StartAsync();
        ulong a = run.Guest.RxBuffer(0), b = run.Guest.RxBuffer(1);
        run.Rings.Fill.PostBuffers(a, b, a);

        Assert.Equal(2, run.Writer.TryRent(run.Burst));
        run.Rings.Fill.PostBuffers(b); // while the application holds it
        Assert.Equal(0, run.Writer.TryRent(run.Burst));

        Assert.Equal(2, run.Writer.Counters.DropsFor(DropReason.BufferNotOwned));
        Assert.Equal((2L, 4L), (run.Writer.Counters.Held, run.Writer.Counters.BufferEntries));
    }

    [Fact]
    public async Task TryRent_FillEntryNamingATxBuffer_IsRentedSinceTheDeviceCannotKnowThePartition()
    {
        await using var run = await DeviceUnderAttack.StartAsync();
        run.Rings.Fill.PostBuffers(run.Guest.TxBuffer(4, 1));

        Assert.Equal(1, run.Writer.TryRent(run.Burst));

        Assert.Equal(run.Guest.TxBuffer(4, 1), run.Burst[0].Offset);
        Assert.Equal(0, run.Writer.Counters.Drops);
    }

    // ---- The device's reader: a hostile guest writes the TX ring ----

    [Fact]
    public async Task TryReceive_TxDescriptorOffsetOutsidePoolOrMisaligned_DropsAndCompletesNothingForIt()
    {
        await using var run = await DeviceUnderAttack.StartAsync();
        ulong good = run.Guest.TxBuffer(2);
        run.Rings.Tx.PostDescriptors(
            RawDescriptor.Packet((ulong)Geometry.PoolLength, 8),
            RawDescriptor.Packet(run.Guest.TxBuffer(1) + 1, 8),
            RawDescriptor.Packet(good, 8));

        Assert.Equal(1, run.Reader.TryReceive(run.Burst));

        Assert.Equal((good, 8), (run.Burst[0].Offset, run.Burst[0].Length));
        var c = run.Reader.Counters;
        Assert.Equal((1L, 1L, 2L, 3L), (c.DropsFor(DropReason.OffsetOutsidePool), c.DropsFor(DropReason.OffsetMisaligned), c.Drops, c.PacketEntries));
        Assert.False(run.Rings.TxCompletion.ReadBuffer(0, out _), "a completion was written for a descriptor naming no buffer");
        run.Reader.Return([run.Burst[0]]);
        Assert.Equal([good], run.Rings.TxCompletion.TakeReadyBuffers());
    }

    [Fact]
    public async Task TryReceive_TxDescriptorLengthTooLargeOrNoEndOfPacket_DropsAndCompletesTheBufferAtOnce()
    {
        await using var run = await DeviceUnderAttack.StartAsync();
        ulong[] t = [run.Guest.TxBuffer(0), run.Guest.TxBuffer(1), run.Guest.TxBuffer(2)];
        run.Rings.Tx.PostDescriptors(
            RawDescriptor.Packet(t[0], BufferSize + 1),
            new RawDescriptor(t[1], 8, DescriptorFlags.None),
            RawDescriptor.Packet(t[2], 8));

        Assert.Equal(1, run.Reader.TryReceive(run.Burst));

        Assert.Equal(t[2], run.Burst[0].Offset);
        var c = run.Reader.Counters;
        Assert.Equal((1L, 1L, 2L), (c.DropsFor(DropReason.LengthTooLarge), c.DropsFor(DropReason.MissingEndOfPacket), c.Drops));
        Assert.Equal([t[0], t[1]], run.Rings.TxCompletion.TakeReadyBuffers());
        run.Reader.Return([run.Burst[0]]);
        Assert.Equal([t[2]], run.Rings.TxCompletion.TakeReadyBuffers());
        Assert.Equal(3, run.Reader.Counters.BufferEntries);
    }

    [Fact]
    public async Task TryReceive_TxDescriptorForABufferTheApplicationHolds_DropsAsNotOwnedAndCompletesItOnce()
    {
        await using var run = await DeviceUnderAttack.StartAsync();
        ulong t = run.Guest.TxBuffer(5);
        run.Rings.Tx.PostDescriptors(RawDescriptor.Packet(t, 8));
        Assert.Equal(1, run.Reader.TryReceive(run.Burst));
        var held = run.Burst[0];

        run.Rings.Tx.PostDescriptors(RawDescriptor.Packet(t, 9));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));
        Assert.Equal(1, run.Reader.Counters.DropsFor(DropReason.BufferNotOwned));
        Assert.Empty(run.Rings.TxCompletion.TakeReadyBuffers());
        run.Reader.Return([held]);
        Assert.Equal([t], run.Rings.TxCompletion.TakeReadyBuffers());
    }

    [Fact]
    public async Task TryReceive_BadThenGoodDescriptorForOneBufferInOneBurst_CompletesItOnceAndDropsTheSecond()
    {
        await using var run = await DeviceUnderAttack.StartAsync();
        ulong t = run.Guest.TxBuffer(3);
        run.Rings.Tx.PostDescriptors(RawDescriptor.Packet(t, BufferSize + 1), RawDescriptor.Packet(t, 8));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));

        Assert.Equal(1, run.Reader.Counters.DropsFor(DropReason.LengthTooLarge));
        Assert.Equal(1, run.Reader.Counters.DropsFor(DropReason.BufferNotOwned));
        Assert.Equal([t], run.Rings.TxCompletion.TakeReadyBuffers());
        Assert.Equal(0, run.Reader.Counters.Held);
    }

    // ---- Floods ----

    /// <summary>A garbage entry: what kind of offset, a noise word, a length and flags (the generation bit is set right).</summary>
    private static readonly Gen<(int Kind, int Index, ulong Noise, uint Length, ushort Flags)> Garbage =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, Size - 1], Gen.ULong, Gen.OneOf(Gen.UInt[0, BufferSize + 1], Gen.UInt), Gen.UShort);

    /// <summary>The offset a garbage entry names: one of the queue's buffers, near one, one of another queue or
    /// direction, or anything at all.</summary>
    private static ulong OffsetOf((int Kind, int Index, ulong Noise, uint Length, ushort Flags) g, bool rx) => g.Kind switch
    {
        0 or 1 => (rx ? Geometry.RxFirst(0) : Geometry.TxFirst(0)) + (ulong)g.Index * Stride,
        2 => (rx ? Geometry.RxFirst(0) : Geometry.TxFirst(0)) + (ulong)g.Index * Stride + g.Noise % Stride,
        3 => (rx ? Geometry.TxFirst(0) : Geometry.RxFirst(0)) + (ulong)g.Index * Stride,
        4 => Geometry.RxFirst(1) + (ulong)g.Index * Stride,
        _ => g.Noise,
    };

    /// <summary>Without chained buffers, and with them (a descriptor lacking END_OF_PACKET then starts a frame).</summary>
    public static TheoryData<bool> WithAndWithoutChains => new(false, true);

    [Theory]
    [MemberData(nameof(WithAndWithoutChains))]
    public void Guest_GarbageLapAfterLap_DeliversOnlyValidBuffersAndEveryEntryIsAccounted(bool chains)
    {
        Garbage.Array[Size].Array[1, 24].Sample(laps =>
        {
            using var run = Task.Run(() => GuestUnderAttack.StartAsync(chains: chains)).GetAwaiter().GetResult();
            var rxHeld = new HashSet<ulong>();
            var txHeld = new HashSet<ulong>();
            long entries = 0, completions = 0;
            foreach (var lap in laps)
            {
                // Garbage in content, not in pacing: never overwrite an entry the guest has not read yet (it may wait on
                // a frame whose last packet comes next lap), so the accounting below can be exact.
                int room = Size - (int)(entries - run.Reader.Counters.PacketEntries);
                run.Rings.RxCompletion.PostDescriptors(lap.Take(room).Select(g => new RawDescriptor(OffsetOf(g, rx: true), g.Length, (DescriptorFlags)g.Flags)).ToArray());
                run.Rings.TxCompletion.PostBuffers(lap.Select(g => OffsetOf(g, rx: false)).ToArray());
                entries += room;
                completions += Size;

                var received = ReceiveAll(run.Reader, run.Burst); // the last receive finds nothing: it posts what it took back
                foreach (var p in received)
                {
                    AssertValidBuffer(p, Geometry.RxFirst(0), Geometry.SideLength, rxHeld);
                    Assert.Equal(p.Length, run.Reader.Payload(p).Length);
                }
                AssertWholeFrames(received, chains);
                int back = FramesEndingBy(received, received.Count / 2);
                run.Reader.Return(received.Take(back).ToArray());
                foreach (var p in received.Take(back))
                    rxHeld.Remove(p.Offset);

                int m = run.Writer.TryRent(run.Burst); // asks for more than is free, so it reaps the lap
                for (int i = 0; i < m; i++)
                    AssertValidBuffer(run.Burst[i], Geometry.TxFirst(0), Geometry.SideLength, txHeld);
                var send = run.Burst.AsSpan(0, m / 2).ToArray().Select(p => p.WithLength(m)).ToArray();
                run.Writer.TrySend(send);
                run.Writer.Return(run.Burst.AsSpan(m / 2, m - m / 2));
                foreach (var p in run.Burst.AsSpan(0, m))
                    txHeld.Remove(p.Offset);

                var rx = run.Reader.Counters;
                // A frame whose last packet is not written yet waits for the next lap: at most a chain's worth.
                Assert.InRange(rx.PacketEntries, chains ? entries - run.Reader.MaxChainLength : entries, entries);
                Assert.Equal(rx.PacketEntries, rx.Packets + rx.Drops);
                Assert.Equal(rxHeld.Count, rx.Held);
                var tx = run.Writer.Counters;
                Assert.Equal(completions, tx.BufferEntries);
                Assert.Equal(txHeld.Count, tx.Held);
            }
        }, iter: 40);
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutChains))]
    public void Device_GarbageLapAfterLap_HandsOutOnlyPoolBuffersAndEveryEntryIsAccounted(bool chains)
    {
        Garbage.Array[Size].Array[1, 24].Sample(laps =>
        {
            using var run = Task.Run(() => DeviceUnderAttack.StartAsync(chains: chains)).GetAwaiter().GetResult();
            var rented = new HashSet<ulong>();
            var received = new HashSet<ulong>();
            long entries = 0, fills = 0, stashed = 0;
            foreach (var lap in laps)
            {
                // Garbage in content, not in pacing: never overwrite an entry the device has not read yet.
                int fillRoom = Size - (int)(fills - run.Writer.Counters.BufferEntries);
                int room = Size - (int)(entries - run.Reader.Counters.PacketEntries);
                run.Rings.Fill.PostBuffers(lap.Take(fillRoom).Select(g => OffsetOf(g, rx: true)).ToArray());
                run.Rings.Tx.PostDescriptors(lap.Take(room).Select(g => new RawDescriptor(OffsetOf(g, rx: false), g.Length, (DescriptorFlags)g.Flags)).ToArray());
                fills += fillRoom;
                entries += room;

                var got = ReceiveAll(run.Reader, run.Burst);
                foreach (var p in got)
                {
                    AssertValidBuffer(p, 0, (ulong)Geometry.PoolLength, received);
                    Assert.Equal(p.Length, run.Reader.Payload(p).Length);
                }
                AssertWholeFrames(got, chains);
                int back = FramesEndingBy(got, got.Count / 2);
                run.Reader.Return(got.Take(back).ToArray());
                foreach (var p in got.Take(back))
                    received.Remove(p.Offset);

                int m = run.Writer.TryRent(run.Burst); // the buffers handed back unsent come first
                stashed -= Math.Min(stashed, m);
                for (int i = 0; i < m; i++)
                    AssertValidBuffer(run.Burst[i], 0, (ulong)Geometry.PoolLength, rented);
                run.Writer.TrySend(run.Burst.AsSpan(0, m / 2).ToArray().Select(p => p.WithLength(m)).ToArray());
                run.Writer.Return(run.Burst.AsSpan(m / 2, m - m / 2));
                stashed += m - m / 2;
                foreach (var p in run.Burst.AsSpan(0, m))
                    rented.Remove(p.Offset);

                var rx = run.Reader.Counters;
                Assert.InRange(rx.PacketEntries, chains ? entries - run.Reader.MaxChainLength : entries, entries);
                Assert.Equal(rx.PacketEntries, rx.Packets + rx.Drops);
                Assert.Equal(received.Count, rx.Held);
                // Every fill entry read was dropped or gave a buffer that is now held, sent, or handed back unsent.
                var tx = run.Writer.Counters;
                Assert.Equal(rented.Count, tx.Held);
                Assert.InRange(tx.BufferEntries, 0, fills);
                Assert.Equal(tx.BufferEntries, tx.Drops + tx.Held + tx.Packets + stashed);
            }
        }, iter: 40);
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutChains))]
    public async Task Guest_ConcurrentGarbageFlood_NeverCrashesOrHangsAndKeepsItsAccounts(bool chains)
    {
        await using var run = await GuestUnderAttack.StartAsync(chains: chains);
        using var stop = new CancellationTokenSource();
        var flood = Deadline.Run(() => Flood(stop.Token, seed: 1, (g, rx) =>
        {
            if (rx)
                run.Rings.RxCompletion.PostDescriptors(new RawDescriptor(OffsetOf(g, rx: true), g.Length, (DescriptorFlags)g.Flags));
            else
                run.Rings.TxCompletion.PostBuffers(OffsetOf(g, rx: false));
        }));
        var rxHeld = new HashSet<ulong>();
        var txHeld = new HashSet<ulong>();
        var big = new Packet[4 * Size];
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.ElapsedMilliseconds < 1000)
            {
                int n = run.Reader.TryReceive(big);
                for (int i = 0; i < n; i++)
                    AssertValidBuffer(big[i], Geometry.RxFirst(0), Geometry.SideLength, rxHeld);
                AssertWholeFrames(big.AsSpan(0, n).ToArray(), chains);
                run.Reader.Return(big.AsSpan(0, n));
                foreach (var p in big.AsSpan(0, n))
                    rxHeld.Remove(p.Offset);

                int m = run.Writer.TryRent(big);
                for (int i = 0; i < m; i++)
                    AssertValidBuffer(big[i], Geometry.TxFirst(0), Geometry.SideLength, txHeld);
                run.Writer.TrySend(big.AsSpan(0, m / 2).ToArray().Select(p => p.WithLength(1)).ToArray());
                run.Writer.Return(big.AsSpan(m / 2, m - m / 2));
                foreach (var p in big.AsSpan(0, m))
                    txHeld.Remove(p.Offset);
                Assert.False(flood.IsFaulted, $"the flood failed: {flood.Exception?.InnerException}");
            }
        }
        finally
        {
            stop.Cancel();
            Deadline.Join(flood, "the flood");
        }

        var rx = run.Reader.Counters;
        Assert.True(rx.PacketEntries > 0, "the flood never reached the reader");
        Assert.Equal(rx.PacketEntries, rx.Packets + rx.Drops);
        Assert.Equal((0L, 0L), (rx.Held, run.Writer.Counters.Held));
    }

    [Theory]
    [MemberData(nameof(WithAndWithoutChains))]
    public async Task Device_ConcurrentGarbageFloodWithBurstsLargerThanTheRing_NeverCrashesOrHangsAndKeepsItsAccounts(bool chains)
    {
        await using var run = await DeviceUnderAttack.StartAsync(chains: chains);
        using var stop = new CancellationTokenSource();
        var flood = Deadline.Run(() => Flood(stop.Token, seed: 2, (g, rx) =>
        {
            if (rx)
                run.Rings.Fill.PostBuffers(OffsetOf(g, rx: true));
            else // valid buffers with bad lengths most of the time: each is given back at once, from the burst's list
                run.Rings.Tx.PostDescriptors(new RawDescriptor(
                    g.Kind < 4 ? Geometry.RxFirst(0) + (ulong)(g.Noise % (ulong)Geometry.BufferCount) * Stride : g.Noise,
                    g.Kind < 3 ? BufferSize + 1 : g.Length, (DescriptorFlags)g.Flags));
        }));
        var received = new HashSet<ulong>();
        var rented = new HashSet<ulong>();
        var big = new Packet[4 * Size];
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.ElapsedMilliseconds < 1000)
            {
                int n = run.Reader.TryReceive(big);
                for (int i = 0; i < n; i++)
                    AssertValidBuffer(big[i], 0, (ulong)Geometry.PoolLength, received);
                AssertWholeFrames(big.AsSpan(0, n).ToArray(), chains);
                run.Reader.Return(big.AsSpan(0, n));
                foreach (var p in big.AsSpan(0, n))
                    received.Remove(p.Offset);

                int m = run.Writer.TryRent(big);
                for (int i = 0; i < m; i++)
                    AssertValidBuffer(big[i], 0, (ulong)Geometry.PoolLength, rented);
                run.Writer.TrySend(big.AsSpan(0, m / 2).ToArray().Select(p => p.WithLength(1)).ToArray());
                run.Writer.Return(big.AsSpan(m / 2, m - m / 2));
                foreach (var p in big.AsSpan(0, m))
                    rented.Remove(p.Offset);
                Assert.False(flood.IsFaulted, $"the flood failed: {flood.Exception?.InnerException}");
            }
        }
        finally
        {
            stop.Cancel();
            Deadline.Join(flood, "the flood");
        }

        var rx = run.Reader.Counters;
        Assert.True(rx.PacketEntries > 0, "the flood never reached the reader");
        Assert.Equal(rx.PacketEntries, rx.Packets + rx.Drops);
        Assert.Equal((0L, 0L), (rx.Held, run.Writer.Counters.Held));
    }

    /// <summary>Receives until a receive hands out nothing (a burst may stop before a frame that does not fit).</summary>
    private static List<Packet> ReceiveAll(PacketReader reader, Packet[] burst)
    {
        var all = new List<Packet>();
        for (int n, rounds = 0; (n = reader.TryReceive(burst)) != 0; rounds++)
        {
            Assert.True(rounds < 8 * Size, "receives keep handing out packets from a ring that was written once");
            all.AddRange(burst.AsSpan(0, n).ToArray());
        }
        return all;
    }

    /// <summary>A reader hands out whole frames only: the last packet it hands out ends its frame, and without chained
    /// buffers every packet does.</summary>
    private static void AssertWholeFrames(IReadOnlyList<Packet> packets, bool chains)
    {
        if (packets.Count == 0)
            return;
        Assert.False(packets[^1].ContinuesInNext, "a burst ends inside a frame");
        if (!chains)
            Assert.DoesNotContain(packets, p => p.ContinuesInNext);
    }

    /// <summary>How many of <paramref name="packets"/> to return so that only whole frames go back: the first
    /// <paramref name="wanted"/>, extended to the end of the frame they stop in.</summary>
    private static int FramesEndingBy(IReadOnlyList<Packet> packets, int wanted)
    {
        int n = wanted;
        while (n > 0 && n < packets.Count && packets[n - 1].ContinuesInNext)
            n++;
        return n;
    }

    [Fact]
    public async Task TryReceive_GuestRewritesTxEntriesWhileTheyAreRead_ReadsAtMostOneLapPerBurst()
    {
        // A guest that laps the device by two rings makes stale slots look ready again, so one burst could read on
        // past a lap; every descriptor here names a valid buffer with a bad length, which the device must give back.
        await using var run = await DeviceUnderAttack.StartAsync();
        using var stop = new CancellationTokenSource();
        var flood = Deadline.Run(() =>
        {
            for (ulong n = 0; !stop.IsCancellationRequested; n++)
                run.Rings.Tx.PostDescriptors(RawDescriptor.Packet(Geometry.RxFirst(0) + n % (ulong)Geometry.BufferCount * Stride, BufferSize + 1));
        });
        var big = new Packet[8 * Size];
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            long before = 0;
            while (clock.ElapsedMilliseconds < 1500)
            {
                Assert.Equal(0, run.Reader.TryReceive(big));
                long after = run.Reader.Counters.PacketEntries;
                Assert.InRange(after - before, 0, Size);
                before = after;
                Assert.False(flood.IsFaulted, $"the flood failed: {flood.Exception?.InnerException}");
            }
        }
        finally
        {
            stop.Cancel();
            Deadline.Join(flood, "the flood");
        }
        Assert.Equal(run.Reader.Counters.PacketEntries, run.Reader.Counters.Drops);
    }

    /// <summary>Writes garbage entries, one at a time, alternately on the peer's two rings, until stopped.</summary>
    private static void Flood(CancellationToken stop, int seed, Action<(int Kind, int Index, ulong Noise, uint Length, ushort Flags), bool> post)
    {
        var random = new Random(seed);
        for (long i = 0; !stop.IsCancellationRequested; i++)
        {
            var g = (random.Next(6), random.Next(Size), (ulong)random.NextInt64(), random.Next(4) == 0 ? (uint)random.Next() : (uint)random.Next(BufferSize + 2),
                (ushort)random.Next(ushort.MaxValue + 1));
            post(g, (i & 1) == 0);
        }
    }

    // ---- Counters: the region's copy is the peer's to write too ----

    [Fact]
    public async Task Counters_DeviceOverwritesTheGuestsCounterBlocks_TheGuestCountsAndDecidesOnItsOwn()
    {
        // Found by the fuzzing peer (FuzzingPeerTests): the guest read its counters back from the region, so a device
        // could make its own sums overflow, its wait refuse as if the application held every buffer, and its end of
        // stream announce any total.
        await using var run = await GuestUnderAttack.StartAsync();
        OverwriteGuestCounters(run.Rings);

        Assert.Equal((0L, 0L, 0L, 0L), (run.Reader.Counters.Held, run.Reader.Counters.Drops, run.Writer.Counters.PacketEntries, run.Writer.Counters.Drops));
        var wait = run.Reader.WaitToReceiveAsync().AsTask(); // threw: "the application holds all 16 buffers"
        run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(run.Rings.Fill.TakeBuffers(1)[0], 10));
        Assert.True(await Deadline.Within(wait, "the wait for a packet"));
        run.Writer.Complete();
        Assert.Equal(QueueControlLayout.EndOfStreamFlag, Volatile.Read(ref run.Rings.Word64(QueueControlLayout.TxEndOfStreamOffset)));
    }

    /// <summary>Writes every counter of the guest's two halves: the held gauge says the application holds every
    /// buffer, the others are near overflow.</summary>
    private static unsafe void OverwriteGuestCounters(HostilePeer.QueueRings rings)
    {
        foreach (int block in new[] { CountersLayout.GuestReceiverOffset, CountersLayout.GuestSenderOffset })
        {
            for (int offset = 0; offset < RegionLayout.BlockLength; offset += sizeof(ulong))
                *(ulong*)(rings.Counters + block + offset) = offset == HalfCountersLayout.HeldOffset ? Size : (ulong)long.MaxValue;
        }
    }

    // ---- Header: a violation reported by one side ----

    [Fact]
    public void ReportViolation_First_SetsNeedsResetAndTheCodeThePeerSees()
    {
        using var region = HostilePeer.CreateAsGuest(Deadline.UniqueRegionName(), Geometry);
        using var peer = HostilePeer.Open(region, Geometry);

        region.Header.ReportViolation(ViolationCode.HeaderChanged);

        Assert.True((peer.Header.Status & DeviceStatus.DeviceNeedsReset) != 0, "the peer does not see NEEDS_RESET");
        Assert.Equal(ViolationCode.HeaderChanged, peer.Header.Violation);
    }

    [Fact]
    public void ReportViolation_Twice_KeepsTheFirstCode()
    {
        using var region = HostilePeer.CreateAsGuest(Deadline.UniqueRegionName(), Geometry);

        region.Header.ReportViolation(ViolationCode.HeaderChanged);
        region.Header.ReportViolation((ViolationCode)7);

        Assert.Equal(ViolationCode.HeaderChanged, region.Header.Violation);
    }

    [Fact]
    public async Task ReportViolation_RunningPair_KeepsTheHandshakeBitsAndBothSidesFailNamingIt()
    {
        using var pair = await RegionPair.StartAsync(new GuestOptions { RingSize = Size, BufferSize = BufferSize });
        using var peer = HostilePeer.Open(pair.Guest, RegionGeometry.ForQueues(1, Size, BufferSize, GuestOptions.DefaultBuffersPerRing(Size)));

        peer.Header.ReportViolation(ViolationCode.HeaderChanged);

        Assert.Equal(DeviceStatus.Acknowledge | DeviceStatus.Driver | DeviceStatus.FeaturesOk | DeviceStatus.DriverOk | DeviceStatus.DeviceNeedsReset,
            peer.Header.Status);
        foreach (var reader in new[] { pair.GuestQueue().Reader, pair.DeviceQueue().Reader })
        {
            var e = await Assert.ThrowsAsync<RingException>(() => Deadline.Within(reader.WaitToReceiveAsync(), "the wait on a region that needs a reset"));
            Assert.Equal(RingErrorReason.PeerFailed, e.Reason);
            Assert.Contains(nameof(ViolationCode.HeaderChanged), e.Message);
        }
    }

    // ---- API misuse: throws in the caller, changes nothing, writes nothing into the region ----

    [Fact]
    public async Task Return_ReceivedPacketTwice_ThrowsAndChangesNothing()
    {
        await using var run = await MisuseRun.StartAsync();
        var (p, q) = await run.ReceiveTwoOnTheGuestAsync();
        run.GuestReader.Return([p]);

        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestReader.Return([q, p]));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestReader.Return([q, q]));

        run.GuestReader.Return([q]); // the packet before the bad one is still the application's
        Assert.Equal(0, run.GuestReader.Counters.Held);
    }

    [Fact]
    public async Task Return_DevicePacketTwice_ThrowsAndChangesNothing()
    {
        await using var run = await MisuseRun.StartAsync();
        var (p, q) = await run.ReceiveTwoOnTheDeviceAsync();
        run.DeviceReader.Return([p]);

        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.DeviceReader.Return([q, p]));

        run.DeviceReader.Return([q]);
        Assert.Equal(0, run.DeviceReader.Counters.Held);
    }

    [Fact]
    public async Task ReturnAndSend_PacketFromAnotherRegion_ThrowAndChangeNothing()
    {
        await using var run = await MisuseRun.StartAsync();
        using var other = await RegionPair.StartAsync(new GuestOptions { RingSize = Size, BufferSize = BufferSize });
        var foreign = new Packet[1];
        Assert.Equal(1, other.GuestQueue().Writer.TryRent(foreign));
        var (p, _) = await run.ReceiveTwoOnTheGuestAsync();
        var (d, _) = await run.ReceiveTwoOnTheDeviceAsync();
        var rented = new Packet[2];
        Assert.Equal(1, run.GuestWriter.TryRent(rented.AsSpan(0, 1)));
        Assert.Equal(1, run.DeviceWriter.TryRent(rented.AsSpan(1, 1)));

        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestReader.Return([p, foreign[0]]));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.DeviceReader.Return([d, foreign[0]]));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestWriter.TrySend([rented[0], foreign[0]]));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.DeviceWriter.TrySend([rented[1], foreign[0]]));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestWriter.Return([foreign[0]]));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.DeviceWriter.Return([foreign[0]]));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestReader.Payload(foreign[0]));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestWriter.GetBuffer(foreign[0]));

        other.GuestQueue().Writer.Return(foreign);
    }

    [Fact]
    public async Task TrySend_PacketLongerThanABuffer_ThrowsArgumentOutOfRangeAndChangesNothing()
    {
        await using var run = await MisuseRun.StartAsync();
        var g = new Packet[2];
        var d = new Packet[2];
        Assert.Equal(2, run.GuestWriter.TryRent(g));
        Assert.Equal(2, run.DeviceWriter.TryRent(d));

        run.AssertThrowsAndChangesNothing<ArgumentOutOfRangeException>(() => run.GuestWriter.TrySend([g[0].WithLength(8), g[1].WithLength(BufferSize + 1)]));
        run.AssertThrowsAndChangesNothing<ArgumentOutOfRangeException>(() => run.DeviceWriter.TrySend([d[0].WithLength(8), d[1].WithLength(int.MaxValue)]));
        run.AssertThrowsAndChangesNothing<ArgumentOutOfRangeException>(() => run.GuestWriter.TrySend(new byte[BufferSize * run.GuestWriter.MaxChainLength + 1]));
        run.AssertThrowsAndChangesNothing<ArgumentOutOfRangeException>(() => run.GuestReader.Payload(g[0].WithLength(BufferSize + 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => g[0].WithLength(-1));

        // Both packets are still rented and can be sent as they should have been.
        Assert.Equal(2, run.GuestWriter.TrySend([g[0].WithLength(8), g[1].WithLength(BufferSize)]));
        Assert.Equal(2, run.DeviceWriter.TrySend([d[0].WithLength(8), d[1].WithLength(BufferSize)]));
    }

    [Fact]
    public async Task TrySend_PacketNeverRentedHere_ThrowsAndChangesNothing()
    {
        await using var run = await MisuseRun.StartAsync();
        var (received, _) = await run.ReceiveTwoOnTheGuestAsync();
        var (deviceReceived, _) = await run.ReceiveTwoOnTheDeviceAsync();
        var g = new Packet[1];
        var d = new Packet[1];
        var otherQueue = new Packet[1];
        Assert.Equal(1, run.GuestWriter.TryRent(g));
        Assert.Equal(1, run.DeviceWriter.TryRent(d));
        Assert.Equal(1, run.Pair.GuestQueue(1).Writer.TryRent(otherQueue));

        foreach (var stranger in new[] { received, default, otherQueue[0], d[0] })
            run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestWriter.TrySend([g[0], stranger]));
        foreach (var stranger in new[] { deviceReceived, default, g[0] })
            run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.DeviceWriter.TrySend([d[0], stranger]));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestWriter.TrySend([g[0], g[0]]));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.DeviceWriter.TrySend([d[0], d[0]]));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestReader.Return([received, g[0]]));

        Assert.Equal(1, run.GuestWriter.TrySend(g));
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestWriter.TrySend(g)); // sent twice
        run.AssertThrowsAndChangesNothing<InvalidOperationException>(() => run.GuestWriter.Return(g));
        run.Pair.GuestQueue(1).Writer.Return(otherQueue);
    }

    [Fact]
    public async Task TrySend_BurstEndingInsideAFrame_ThrowsAndChangesNothing()
    {
        await using var run = await MisuseRun.StartAsync();
        var g = new Packet[2];
        Assert.Equal(2, run.GuestWriter.TryRent(g));

        run.AssertThrowsAndChangesNothing<ArgumentException>(() => run.GuestWriter.TrySend([g[0].WithLength(8), g[1].WithLength(8).WithContinuation(true)]));

        Assert.Equal(2, run.GuestWriter.Counters.Held);
        Assert.Equal(2, run.GuestWriter.TrySend([g[0].WithLength(8).WithContinuation(true), g[1].WithLength(8)]));
    }

    [Fact]
    public async Task TrySend_FrameLongerThanABufferWithoutChainedBuffers_ThrowsAndRentsNothing()
    {
        // The hostile device offers no chained buffers: a frame must fit in one buffer, and a refused one must not
        // leave buffers rented that the application never saw.
        await using var run = await GuestUnderAttack.StartAsync();
        byte[] before = run.Rings.Tx.Snapshot();

        Assert.Equal(1, run.Writer.MaxChainLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => run.Writer.TrySend(new byte[BufferSize + 1]));

        Assert.Equal(0, run.Writer.Counters.Held);
        Assert.Equal(before, run.Rings.Tx.Snapshot());
        Assert.Equal(Size, run.Writer.TryRent(run.Burst)); // every buffer is still free
    }

    // ---- Helpers ----

    /// <summary>The guest posted <paramref name="offset"/> again, on its next idle receive, right after the initial fill.</summary>
    private static void AssertPostedAgain(GuestUnderAttack run, ulong offset)
    {
        Assert.False(run.Rings.Fill.ReadBuffer(Size, out _), "the buffer was posted before an idle receive");
        Assert.Equal(0, run.Reader.TryReceive(run.Burst)); // finds nothing: posts what it took back
        Assert.True(run.Rings.Fill.ReadBuffer(Size, out ulong posted), "the buffer taken back was not posted again");
        Assert.Equal(offset, posted);
        Assert.Equal(Size + 1, run.Reader.Counters.BufferEntries);
    }

    /// <summary>The <paramref name="count"/> buffers the guest posted after its initial fill of the ring.</summary>
    private static IEnumerable<ulong> TakePostedAfterStart(GuestUnderAttack run, int count) =>
        Enumerable.Range(Size, count).Select(n =>
        {
            Assert.True(run.Rings.Fill.ReadBuffer((uint)n, out ulong offset), $"fill entry {n} is not ready");
            return offset;
        }).ToList();

    /// <summary>A packet the library handed out names a buffer in [<paramref name="first"/>, first + <paramref name="span"/>),
    /// fits its buffer, and is not one the application already holds.</summary>
    private static void AssertValidBuffer(Packet p, ulong first, ulong span, HashSet<ulong> held)
    {
        Assert.True(p.Offset >= first && p.Offset - first < span && (p.Offset - first) % Stride == 0, $"{p} is not a buffer it may hand out");
        Assert.InRange(p.Length, 0, BufferSize);
        Assert.True(held.Add(p.Offset), $"{p} was handed out while the application held it");
    }

    /// <summary>A real guest whose device is a <see cref="HostilePeer"/>: every RX buffer is posted on each fill ring.</summary>
    private sealed class GuestUnderAttack : IAsyncDisposable, IDisposable
    {
        private GuestUnderAttack(Guest guest, HostilePeer device, int queue)
        {
            Guest = guest;
            Device = device;
            Rings = device.Queue(queue);
            Reader = guest.QueuePairs[queue].Reader;
            Writer = guest.QueuePairs[queue].Writer;
        }

        public Guest Guest { get; }
        public HostilePeer Device { get; }
        public HostilePeer.QueueRings Rings { get; }
        public PacketReader Reader { get; }
        public PacketWriter Writer { get; }
        public Packet[] Burst { get; } = new Packet[2 * Size];

        public static async Task<GuestUnderAttack> StartAsync(int queue = 0, bool chains = false)
        {
            var guest = Guest.Create(Deadline.UniqueRegionName(),
                new GuestOptions { QueuePairs = 2, RingSize = Size, BufferSize = BufferSize, BuffersPerRing = Geometry.BuffersPerRing, AttachTimeout = Deadline.Default });
            HostilePeer? device = null;
            try
            {
                device = HostilePeer.ActAsDevice(guest, Geometry, chains: chains); // checks the guest's header says Geometry
                await Deadline.Within(guest.StartAsync().AsTask(), "the guest's start against a hostile device");
                return new GuestUnderAttack(guest, device, queue);
            }
            catch
            {
                device?.Dispose();
                guest.Dispose();
                throw;
            }
        }

        /// <summary>The bytes of buffer <paramref name="offset"/>, as the device writes them.</summary>
        public Span<byte> PoolBytes(ulong offset) => Device.PoolBytes(offset, BufferSize);

        public void Dispose()
        {
            Guest.Dispose();
            Device.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A real device whose guest is a <see cref="HostilePeer"/>, which created the region.</summary>
    private sealed class DeviceUnderAttack : IAsyncDisposable, IDisposable
    {
        private DeviceUnderAttack(HostilePeer guest, Device device)
        {
            Guest = guest;
            Device = device;
            Rings = guest.Queue(0);
            Reader = device.QueuePairs[0].Reader;
            Writer = device.QueuePairs[0].Writer;
        }

        public HostilePeer Guest { get; }
        public Device Device { get; }
        public HostilePeer.QueueRings Rings { get; }
        public PacketReader Reader { get; }
        public PacketWriter Writer { get; }
        public Packet[] Burst { get; } = new Packet[2 * Size];

        /// <summary>Starts the pair; with <paramref name="postFill"/> false the fill rings stay empty for the test to fill.</summary>
        public static async Task<DeviceUnderAttack> StartAsync(bool postFill = false, bool chains = false)
        {
            string name = Deadline.UniqueRegionName();
            var guest = HostilePeer.CreateAsGuest(name, Geometry);
            var attach = Ring.Device.AttachAsync(name, new DeviceOptions { AttachTimeout = Deadline.Default }).AsTask();
            try
            {
                await Deadline.Within(Task.Run(() => guest.FinishGuestHandshake(postFill, chains)), "the hostile guest's handshake");
                return new DeviceUnderAttack(guest, await Deadline.Within(attach, "the device's attach to a hostile guest"));
            }
            catch
            {
                _ = attach.ContinueWith(t =>
                {
                    if (t.IsCompletedSuccessfully)
                        t.Result.Dispose();
                }, TaskScheduler.Default);
                guest.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Device.Dispose();
            Guest.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A real pair (two queue pairs) and an observer mapping, to show that misuse writes nothing.</summary>
    private sealed class MisuseRun : IAsyncDisposable
    {
        private readonly HostilePeer _observer;

        private MisuseRun(RegionPair pair)
        {
            Pair = pair;
            _observer = HostilePeer.Open(pair.Guest, Geometry);
        }

        public RegionPair Pair { get; }
        public PacketReader GuestReader => Pair.GuestQueue().Reader;
        public PacketWriter GuestWriter => Pair.GuestQueue().Writer;
        public PacketReader DeviceReader => Pair.DeviceQueue().Reader;
        public PacketWriter DeviceWriter => Pair.DeviceQueue().Writer;

        public static async Task<MisuseRun> StartAsync() =>
            new(await RegionPair.StartAsync(new GuestOptions { QueuePairs = 2, RingSize = Size, BufferSize = BufferSize, BuffersPerRing = Geometry.BuffersPerRing }));

        /// <summary>The device sends two packets; the guest receives them.</summary>
        public async Task<(Packet, Packet)> ReceiveTwoOnTheGuestAsync()
        {
            Assert.True(DeviceWriter.TrySend("one"u8) && DeviceWriter.TrySend("two"u8), "the device had no buffer to send in");
            var two = new Packet[2];
            int n = 0;
            while (n < 2)
            {
                Assert.True(await Deadline.Within(GuestReader.WaitToReceiveAsync(), "the guest's packets"));
                n += GuestReader.TryReceive(two.AsSpan(n));
            }
            return (two[0], two[1]);
        }

        /// <summary>The guest sends two packets; the device receives them.</summary>
        public async Task<(Packet, Packet)> ReceiveTwoOnTheDeviceAsync()
        {
            Assert.True(GuestWriter.TrySend("one"u8) && GuestWriter.TrySend("two"u8), "the guest had no buffer to send in");
            var two = new Packet[2];
            int n = 0;
            while (n < 2)
            {
                Assert.True(await Deadline.Within(DeviceReader.WaitToReceiveAsync(), "the device's packets"));
                n += DeviceReader.TryReceive(two.AsSpan(n));
            }
            return (two[0], two[1]);
        }

        /// <summary>Runs <paramref name="misuse"/>, which must throw <typeparamref name="T"/>, and checks that no byte of any
        /// ring or counter block changed.</summary>
        public void AssertThrowsAndChangesNothing<T>(Action misuse) where T : Exception
        {
            byte[] before = Snapshot();
            Assert.Throws<T>(misuse);
            Assert.True(before.AsSpan().SequenceEqual(Snapshot()), "the misuse changed the region's rings or counters");
        }

        public ValueTask DisposeAsync()
        {
            _observer.Dispose();
            Pair.Dispose();
            return ValueTask.CompletedTask;
        }

        private byte[] Snapshot()
        {
            var bytes = new List<byte>();
            for (int q = 0; q < Geometry.QueuePairs; q++)
            {
                var r = _observer.Queue(q);
                foreach (var ring in new[] { r.Fill, r.RxCompletion, r.Tx, r.TxCompletion })
                    bytes.AddRange(ring.Snapshot());
                bytes.AddRange(r.CountersSnapshot());
            }
            return bytes.ToArray();
        }
    }
}
