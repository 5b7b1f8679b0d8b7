using CsCheck;
using Ring.Memory;
using Ring.Region;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// A guest that owns more buffers per direction than its rings hold (b = 4n, the default): at most a ring's worth of a
/// direction is ever with the device, so no ring can overflow, and free buffers are used again first in, first out, so
/// a buffer comes back into use only after every buffer that was free before it. A real <see cref="Guest"/> runs
/// against a device that is only a mapping (<see cref="HostilePeer"/>), which reads and writes the rings raw: the
/// tests see exactly what the guest posts and sends, and when. Also: options that would give a guest fewer buffers
/// than a ring holds, more than 64 rings' worth, or a pool over 4 GiB are refused, naming what is wrong.
/// </summary>
public sealed class BuffersPerRingTests
{
    private const int Size = 16;       // n, entries per ring
    private const int BufferSize = 64; // one cache line apart
    private const int MaxRings = 64;   // the most buffers per ring a guest takes, in ring sizes
    private static readonly int Buffers = GuestOptions.DefaultBuffersPerRing(Size); // b = 4n, per direction
    private static readonly RegionGeometry Geometry = RegionGeometry.ForQueues(1, Size, BufferSize, Buffers);

    // ---- RX: at most a ring's worth posted, oldest free buffer first ----

    [Fact]
    public void Fill_AtStart_HoldsTheFirstRingsWorthOfBuffersAndNoMore()
    {
        using var run = Run.Start();

        Assert.Equal(4 * Size, Buffers);
        Assert.Equal(Enumerable.Range(0, Size).Select(i => run.Device.RxBuffer(i)), run.Rings.Fill.TakeBuffers(Size));
        Assert.False(run.Rings.Fill.ReadBuffer(Size, out _), $"more than a ring's worth was posted ({Buffers} buffers are free)");
        Assert.Equal(0, run.Reader.TryReceive(run.Burst)); // idle: posts what is free while there is room, and there is none
        Assert.False(run.Rings.Fill.ReadBuffer(Size, out _), "an idle receive posted past a ring's worth");
        Assert.Equal(Size, run.Reader.Counters.BufferEntries);
    }

    [Fact]
    public void PostFree_BufferReturned_IsPostedAgainOnlyAfterEveryBufferFreeBeforeIt()
    {
        using var run = Run.Start();
        var fill = run.Rings.Fill;
        var posted = new List<ulong>(fill.TakeBuffers(Size)); // the device takes the first ring's worth
        var withDevice = new Queue<ulong>(posted);

        // One at a time: the device completes the oldest buffer it has, the guest receives and returns it, and posts
        // one buffer in its place, the one free longest; the device takes that too.
        for (int k = 0; k < 2 * Buffers; k++)
        {
            run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(withDevice.Dequeue(), 8));
            var got = ReceiveAll(run);
            Assert.Single(got);
            run.Reader.Return(got.ToArray());
            ulong next = fill.TakeBuffers(1)[0];
            Assert.False(fill.ReadBuffer(fill.Next, out _), $"round {k}: two buffers were posted for one completed");
            posted.Add(next);
            withDevice.Enqueue(next);
        }

        // Buffer 0, returned first, is posted again only after the b - n buffers that were free before it.
        Assert.Equal(Enumerable.Range(0, Size + 2 * Buffers).Select(i => run.Device.RxBuffer(i % Buffers)), posted);
    }

    [Fact]
    public void Fill_RawDeviceAnyPacing_NeverARingAheadOfTheCompletionsAndPostsTheOldestFreeFirst()
    {
        // Each lap: the device takes some posted buffers and completes some of those it has, in any order; the guest
        // receives them all, then returns some of what it holds, in any order. The model says which buffers are
        // posted, in which order, and the raw fill ring must hold exactly those after the device's place.
        Gen.Select(Gen.Int[0, Size], Gen.Int[0, Size], Gen.Int[0, Size + 4], Gen.Int).Array[1, 40].Sample(laps =>
        {
            using var run = Run.Start();
            var fill = run.Rings.Fill;
            var posted = new Queue<ulong>(Enumerable.Range(0, Size).Select(i => run.Device.RxBuffer(i))); // not taken yet
            var free = new Queue<ulong>(Enumerable.Range(Size, Buffers - Size).Select(i => run.Device.RxBuffer(i)));
            var withDevice = new List<ulong>();
            var held = new List<Packet>();
            long completed = 0;
            Check();
            foreach (var (take, complete, give, seed) in laps)
            {
                var random = new Random(seed);
                foreach (ulong offset in fill.TakeBuffers(Math.Min(take, posted.Count)))
                {
                    Assert.Equal(posted.Dequeue(), offset);
                    withDevice.Add(offset);
                }
                var done = withDevice.OrderBy(_ => random.Next()).Take(Math.Min(complete, withDevice.Count)).ToList();
                run.Rings.RxCompletion.PostDescriptors(done.Select(o => RawDescriptor.Packet(o, 8)).ToArray());
                withDevice.RemoveAll(done.Contains);
                completed += done.Count;

                var got = ReceiveAll(run); // the last receive finds nothing: it posts free buffers while there is room
                Assert.Equal(done, got.Select(p => p.Offset));
                held.AddRange(got);
                PostFree();
                Check();

                var back = held.OrderBy(_ => random.Next()).Take(Math.Min(give, held.Count)).ToArray();
                run.Reader.Return(back);
                foreach (var p in back)
                {
                    held.Remove(p);
                    free.Enqueue(p.Offset);
                }
                PostFree();
                Check();
            }

            void PostFree()
            {
                while (posted.Count + withDevice.Count < Size && free.Count > 0)
                    posted.Enqueue(free.Dequeue());
            }

            void Check()
            {
                int i = 0;
                foreach (ulong offset in posted)
                {
                    Assert.True(fill.ReadBuffer(fill.Next + (uint)i, out ulong entry), $"fill entry {fill.Next + (uint)i} is not ready");
                    Assert.Equal(offset, entry);
                    i++;
                }
                Assert.False(fill.ReadBuffer(fill.Next + (uint)i, out _), $"fill entry {fill.Next + (uint)i} was posted past the model's");
                // What the device sees: the fill ring never runs more than a ring's worth ahead of its completions.
                Assert.InRange(fill.Next + i - completed, 0, Size);
                Assert.Equal(fill.Next + i, run.Reader.Counters.BufferEntries);
                Assert.Equal(held.Count, run.Reader.Counters.Held);
                Assert.Equal(0, run.Reader.Counters.Drops);
            }
        }, iter: 40);
    }

    // ---- TX: at most a ring's worth rented or in flight, oldest free buffer first ----

    [Fact]
    public void TryRent_EveryBufferFree_RentsARingsWorthAndNoMore()
    {
        using var run = Run.Start();
        var rented = new Packet[Buffers];

        Assert.Equal(Size, run.Writer.TryRent(rented));

        Assert.Equal(Enumerable.Range(0, Size).Select(i => run.Device.TxBuffer(i)), rented.Take(Size).Select(p => p.Offset));
        Assert.Equal(0, run.Writer.TryRent(rented.AsSpan(Size))); // b - n are free, but a ring's worth is rented
        // Three handed back unsent wait behind the buffers never rented: the next rent takes those, oldest first.
        run.Writer.Return([rented[5], rented[2], rented[9]]);
        var more = new Packet[Buffers];
        Assert.Equal(3, run.Writer.TryRent(more));
        Assert.Equal([run.Device.TxBuffer(Size), run.Device.TxBuffer(Size + 1), run.Device.TxBuffer(Size + 2)], more.Take(3).Select(p => p.Offset));
        Assert.Equal(Size, run.Writer.Counters.Held);
    }

    [Fact]
    public void TryRent_ARingsWorthInFlight_RentsOnlyAsManyAsTheDeviceCompleted()
    {
        using var run = Run.Start();
        var rented = new Packet[Buffers];
        Assert.Equal(Size, run.Writer.TryRent(rented));
        Assert.Equal(Size, run.Writer.TrySend(rented.Take(Size).Select(p => p.WithLength(8)).ToArray()));
        var sent = run.Rings.Tx.TakeDescriptors(Size);

        Assert.Equal(0, run.Writer.TryRent(rented)); // a ring's worth in flight, though b - n are free

        run.Rings.TxCompletion.PostBuffers(sent[3].Offset, sent[0].Offset, sent[7].Offset);
        Assert.Equal(3, run.Writer.TryRent(rented));
        // Oldest free first: the three that came back wait behind the buffers never rented.
        Assert.Equal([run.Device.TxBuffer(Size), run.Device.TxBuffer(Size + 1), run.Device.TxBuffer(Size + 2)], rented.Take(3).Select(p => p.Offset));
        Assert.Equal(0, run.Writer.TryRent(rented));
        Assert.Equal(0, run.Writer.Counters.Drops);
    }

    [Fact]
    public void TryRent_RawDeviceAnyPacing_NeverMoreThanARingsWorthOutAndRentsTheOldestFreeFirst()
    {
        // Each lap: the guest rents (asking for up to every buffer), sends some, hands some back unsent; the device
        // takes some of what was sent and completes some of what it has, in any order. The model says how many a rent
        // gets and which buffers; the raw TX ring must never hold more than a ring's worth past the completions.
        Gen.Select(Gen.Int[0, 4 * Size], Gen.Int[0, Size], Gen.Int[0, Size], Gen.Int[0, Size], Gen.Int[0, Size], Gen.Int).Array[1, 40].Sample(laps =>
        {
            using var run = Run.Start();
            var tx = run.Rings.Tx;
            var free = new Queue<ulong>(Enumerable.Range(0, Buffers).Select(i => run.Device.TxBuffer(i)));
            var held = new List<Packet>();
            var sent = new Queue<ulong>();       // on the TX ring, not taken by the device
            var withDevice = new List<ulong>();
            var completions = new Queue<ulong>(); // on the TX completion ring, not reaped
            long completed = 0;
            var burst = new Packet[Buffers];
            foreach (var (rent, send, giveBack, take, complete, seed) in laps)
            {
                var random = new Random(seed);
                int rentedOrOut = held.Count + sent.Count + withDevice.Count + completions.Count;
                if (free.Count < rent || rentedOrOut + rent > Size) // a rent reaps only when it must
                    while (completions.Count > 0)
                        free.Enqueue(completions.Dequeue());
                int expected = Math.Min(Math.Min(rent, free.Count), Size - (held.Count + sent.Count + withDevice.Count));
                Assert.Equal(expected, run.Writer.TryRent(burst.AsSpan(0, rent)));
                foreach (var p in burst.AsSpan(0, expected))
                {
                    Assert.Equal(free.Dequeue(), p.Offset);
                    held.Add(p);
                }

                var toSend = held.Take(Math.Min(send, held.Count)).Select(p => p.WithLength(8)).ToArray();
                Assert.Equal(toSend.Length, run.Writer.TrySend(toSend));
                held.RemoveRange(0, toSend.Length);
                foreach (var p in toSend)
                    sent.Enqueue(p.Offset);
                var unsent = held.OrderBy(_ => random.Next()).Take(Math.Min(giveBack, held.Count)).ToArray();
                run.Writer.Return(unsent);
                foreach (var p in unsent)
                {
                    held.Remove(p);
                    free.Enqueue(p.Offset);
                }

                foreach (var d in tx.TakeDescriptors(Math.Min(take, sent.Count)))
                {
                    Assert.Equal(sent.Dequeue(), d.Offset);
                    withDevice.Add(d.Offset);
                }
                var done = withDevice.OrderBy(_ => random.Next()).Take(Math.Min(complete, withDevice.Count)).ToArray();
                run.Rings.TxCompletion.PostBuffers(done);
                withDevice.RemoveAll(done.Contains);
                foreach (ulong offset in done)
                    completions.Enqueue(offset);
                completed += done.Length;

                Assert.InRange(held.Count + sent.Count + withDevice.Count + completions.Count, 0, Size);
                Assert.False(tx.ReadDescriptor(tx.Next + (uint)sent.Count, out _), "a descriptor was sent past the model's");
                // What the device sees: the TX ring never runs more than a ring's worth ahead of its completions.
                Assert.InRange(tx.Next + sent.Count - completed, 0, Size);
                Assert.Equal(held.Count, run.Writer.Counters.Held);
                Assert.Equal(0, run.Writer.Counters.Drops);
            }
        }, iter: 40);
    }

    // ---- A device that names buffers the guest never gave it ----

    /// <summary>RX buffers the device does not have at the start: (index, why a completion naming it is dropped).</summary>
    public static TheoryData<int, DropReason> RxBuffersNotWithTheDevice => new()
    {
        { Size, DropReason.BufferNotOwned },                                        // free, next in line to be posted
        { GuestOptions.DefaultBuffersPerRing(Size) - 1, DropReason.BufferNotOwned }, // the queue's last RX buffer
        { GuestOptions.DefaultBuffersPerRing(Size), DropReason.OffsetOutsidePool },  // one past it: the first TX buffer
    };

    [Theory]
    [MemberData(nameof(RxBuffersNotWithTheDevice))]
    public void TryReceive_CompletionForABufferNeverPosted_DropsItAndKeepsTheOrderOfTheFreeBuffers(int index, DropReason reason)
    {
        using var run = Run.Start();
        run.Rings.Fill.TakeBuffers(Size);
        run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(run.Device.RxBuffer(index), 8));

        Assert.Equal(0, run.Reader.TryReceive(run.Burst));

        var c = run.Reader.Counters;
        Assert.Equal((1L, 1L, 0L, 0L), (c.DropsFor(reason), c.Drops, c.Packets, c.Held));
        Assert.False(run.Rings.Fill.ReadBuffer(Size, out _), "a forged completion made room for a buffer on the fill ring");
        // A real completion makes room for one: the buffer free longest, posted once.
        run.Rings.RxCompletion.PostDescriptors(RawDescriptor.Packet(run.Device.RxBuffer(0), 8));
        Assert.Single(ReceiveAll(run));
        Assert.Equal([run.Device.RxBuffer(Size)], run.Rings.Fill.TakeReadyBuffers());
    }

    [Fact]
    public void TryRent_TxCompletionForAFreeBufferNeverSent_DropsItAndRentsNoMoreThanARingsWorth()
    {
        using var run = Run.Start();
        var rented = new Packet[Buffers];
        Assert.Equal(Size, run.Writer.TryRent(rented));
        Assert.Equal(Size, run.Writer.TrySend(rented.Take(Size).Select(p => p.WithLength(8)).ToArray()));
        var sent = run.Rings.Tx.TakeDescriptors(Size);
        run.Rings.TxCompletion.PostBuffers(run.Device.TxBuffer(Size), run.Device.TxBuffer(Buffers - 1)); // free, never rented

        Assert.Equal(0, run.Writer.TryRent(rented)); // still a ring's worth in flight

        Assert.Equal((2L, 2L), (run.Writer.Counters.DropsFor(DropReason.BufferNotOwned), run.Writer.Counters.Drops));
        run.Rings.TxCompletion.PostBuffers(sent[0].Offset);
        Assert.Equal(1, run.Writer.TryRent(rented));
        Assert.Equal(run.Device.TxBuffer(Size), rented[0].Offset); // the free buffers' order is as it was
    }

    // ---- Options ----

    [Theory]
    [InlineData(0)]
    [InlineData(-Size)]
    [InlineData(GuestOptions.MinRingSize - 1)]
    [InlineData(64 * GuestOptions.MaxRingSize + 1)]
    [InlineData(int.MaxValue)]
    public void BuffersPerRing_OutsideEveryRingSizesRange_SetterThrowsArgumentOutOfRangeNamingIt(int buffersPerRing)
    {
        var options = new GuestOptions { RingSize = Size };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.BuffersPerRing = buffersPerRing);

        Assert.Equal(nameof(GuestOptions.BuffersPerRing), e.ParamName);
        Assert.Contains($"{GuestOptions.MinRingSize}..{64 * GuestOptions.MaxRingSize}", e.Message);
        Assert.Equal(Buffers, options.BuffersPerRing); // unchanged: the default
    }

    [Theory]
    [InlineData(32)]               // at least 16 (any ring), but below these 64-entry rings
    [InlineData(MaxRings * 64 + 1)]
    public void Create_BuffersPerRingOutsideOneTo64RingsWorth_ThrowsArgumentOutOfRangeNamingIt(int buffersPerRing)
    {
        var options = new GuestOptions { RingSize = 64, BuffersPerRing = buffersPerRing };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Guest.Create(Deadline.UniqueRegionName(), options));

        Assert.Equal(nameof(GuestOptions.BuffersPerRing), e.ParamName);
        Assert.Contains($"64..{MaxRings * 64}", e.Message);
    }

    [Theory]
    [InlineData(2048, 16)]   // allowed against the default ring size (1024..65536), then 16-entry rings: 128 rings' worth
    [InlineData(1024, 2048)] // allowed against the default ring size, then 2048-entry rings: half a ring's worth
    public void Create_RingSizeSetAfterBuffersPerRingLeavesItOutOfRange_ThrowsArgumentOutOfRangeNamingItAndCreatesNothing(int buffersPerRing, int ringSize)
    {
        // BuffersPerRing is checked against the ring size when it is set. A RingSize set after it must not let a guest
        // with less than a ring's worth, or more than 64 rings' worth, of buffers through.
        var options = new GuestOptions { BuffersPerRing = buffersPerRing, RingSize = ringSize };
        string name = Deadline.UniqueRegionName();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Guest.Create(name, options));

        Assert.Equal(nameof(GuestOptions.BuffersPerRing), e.ParamName);
        Assert.Contains($"{ringSize}..{MaxRings * ringSize}", e.Message);
        Assert.False(File.Exists(RegionPaths.ForName(name)), "a refused guest created a region file");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(MaxRings)]
    public void Create_BuffersPerRingAtEitherEndOfItsRange_LaysOutThatManyPerDirection(int rings)
    {
        using var guest = Guest.Create(Deadline.UniqueRegionName(), new GuestOptions { RingSize = Size, BufferSize = BufferSize, BuffersPerRing = rings * Size });
        Assert.Equal(RegionGeometry.ForQueues(1, Size, BufferSize, rings * Size), HeaderCheck.Validate(guest.Region));
    }

    [Fact]
    public void Create_DefaultBuffersPerRingWhosePoolExceeds4GiB_ThrowsNamingThePoolAndItsRemediesAndCreatesNothing()
    {
        // 8 queue pairs of 32768-entry rings of 2048-byte buffers: a ring's worth each way is a 1 GiB pool, the
        // default four rings' worth 4 GiB, one byte over the limit.
        var options = new GuestOptions { QueuePairs = 8, RingSize = 32768, BufferSize = 2048 };
        string name = Deadline.UniqueRegionName();

        var e = Assert.Throws<ArgumentException>(() => Guest.Create(name, options));

        Assert.Contains("the pool must be at most 4 GiB, not 4294967296 bytes", e.Message);
        Assert.Contains("fewer buffers per ring", e.Message); // the knob the default turned up
        Assert.False(File.Exists(RegionPaths.ForName(name)), "a refused guest created a region file");
        Assert.Null(RegionGeometry.ForQueues(8, 32768, 2048, buffersPerRing: 32768).Validate()); // a ring's worth fits
    }

    // ---- Helpers ----

    /// <summary>Receives until a receive finds nothing; that last receive posts free buffers while there is room.</summary>
    private static List<Packet> ReceiveAll(Run run)
    {
        var all = new List<Packet>();
        for (int n, rounds = 0; (n = run.Reader.TryReceive(run.Burst)) != 0; rounds++)
        {
            Assert.True(rounds < 4, "receives keep handing out packets from a ring written once");
            all.AddRange(run.Burst.AsSpan(0, n).ToArray());
        }
        return all;
    }

    /// <summary>A real guest (one queue pair, the default buffers per ring) whose device is a <see cref="HostilePeer"/>.</summary>
    private sealed class Run : IDisposable
    {
        private Run(Guest guest, HostilePeer device)
        {
            Guest = guest;
            Device = device;
            Rings = device.Queue(0);
            Reader = guest.QueuePairs[0].Reader;
            Writer = guest.QueuePairs[0].Writer;
        }

        public Guest Guest { get; }
        public HostilePeer Device { get; }
        public HostilePeer.QueueRings Rings { get; }
        public PacketReader Reader { get; }
        public PacketWriter Writer { get; }
        public Packet[] Burst { get; } = new Packet[2 * Size];

        public static Run Start()
        {
            var guest = Guest.Create(Deadline.UniqueRegionName(), new GuestOptions { RingSize = Size, BufferSize = BufferSize, AttachTimeout = Deadline.Default });
            HostilePeer? device = null;
            try
            {
                device = HostilePeer.ActAsDevice(guest, Geometry); // checks the guest's header says Geometry: b = 4n
                Deadline.Join(Task.Run(() => guest.StartAsync().AsTask()), "the guest's start against a raw device");
                return new Run(guest, device);
            }
            catch
            {
                device?.Dispose();
                guest.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Guest.Dispose();
            Device.Dispose();
        }
    }
}
