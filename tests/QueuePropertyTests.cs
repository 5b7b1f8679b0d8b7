using System.Buffers.Binary;
using CsCheck;
using Ring.Memory;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// Random sequences of every verb on both sides of two queue pairs, a real <see cref="Guest"/> and a real
/// <see cref="Device"/> in this process on one region, driven from one thread: rents, sends, receives and returns in
/// both directions, bursts larger than what is there, returns of any subset in any order. The test keeps its own
/// model of where every buffer is. After every step: each buffer is in exactly one place (held by one side's
/// application, handed back unsent, free on the guest's side, or in one ring's window between the two sides'
/// positions, which an observer mapping reads raw); each half's <c>Held</c> counter is what the test holds; no drop is
/// counted. Packets arrive in order with the lengths and bytes sent; a burst moves everything there is, up to the
/// ring's wrap, where a burst's view ends. The guest's free buffers are used first in, first out, and at most a ring's
/// worth of each direction is ever out (posted, or rented and in flight): the model says which buffer comes next and
/// how many, and the raw rings must agree. Each property runs with one ring's worth of buffers per direction and with
/// four (the default). At the end both directions drain and every buffer comes home. CsCheck shrinks a failing
/// sequence and prints its seed.
/// </summary>
public sealed class QueuePropertyTests
{
    private const int Size = 16;
    private const int BufferSize = 100; // 128 bytes apart
    private const int Queues = 2;
    private const int MaxBurst = Size * 5 / 2;

    /// <summary>One verb on one side of one queue pair.</summary>
    public enum Step
    {
        DeviceRent,
        DeviceSend,
        DeviceReturnRented,
        GuestReceive,
        GuestReturn,
        GuestRent,
        GuestSend,
        GuestReturnRented,
        DeviceReceive,
        DeviceReturn,
    }

    /// <summary>Buffers per direction: one ring's worth (every buffer on a ring or held) and the default, four.</summary>
    public static TheoryData<int> BuffersPerRing => new(Size, GuestOptions.DefaultBuffersPerRing(Size));

    [Theory]
    [MemberData(nameof(BuffersPerRing))]
    public void AnySequence_BothDirectionsTwoQueues_ConservesBuffersAndDeliversInOrder(int buffersPerRing)
    {
        Gen.Select(Gen.Enum<Step>(), Gen.Int[0, Queues - 1], Gen.Int[0, MaxBurst], Gen.Int).Array[1, 300]
            .Sample(steps =>
            {
                using var run = new Run(buffersPerRing);
                foreach (var (step, queue, burst, seed) in steps)
                {
                    run.Queue(queue).Do(step, burst, seed);
                    run.Queue(queue).Check();
                }
                for (int q = 0; q < Queues; q++)
                    run.Queue(q).DrainAndCheckEveryBufferComesHome();
            }, iter: 200);
    }

    [Theory]
    [MemberData(nameof(BuffersPerRing))]
    public void LongHonestRun_ManyLaps_ConservesBuffersAndDeliversInOrder(int buffersPerRing)
    {
        using var run = new Run(buffersPerRing);
        var queue = run.Queue(1);
        var steps = Enum.GetValues<Step>();
        for (int i = 0; i < 4000; i++)
        {
            queue.Do(steps[i % steps.Length], burst: 3 + i % 11, seed: i);
            queue.Check();
        }
        queue.DrainAndCheckEveryBufferComesHome();

        Assert.True(queue.Laps > 40, $"only {queue.Laps} laps of the ring");
    }

    /// <summary>A pair on a fresh region, an observer mapping, and the model of each queue pair.</summary>
    private sealed class Run : IDisposable
    {
        private readonly RegionPair _pair;
        private readonly HostilePeer _observer; // reads the rings raw; writes nothing
        private readonly QueueModel[] _queues = new QueueModel[Queues];

        public Run(int buffersPerRing)
        {
            _pair = RegionPair.Start(new GuestOptions { QueuePairs = Queues, RingSize = Size, BufferSize = BufferSize, BuffersPerRing = buffersPerRing });
            _observer = HostilePeer.Open(_pair.Guest, RegionGeometry.ForQueues(Queues, Size, BufferSize, buffersPerRing));
            for (int q = 0; q < Queues; q++)
                _queues[q] = new QueueModel(_pair.GuestQueue(q), _pair.DeviceQueue(q), _observer, q);
        }

        public QueueModel Queue(int q) => _queues[q];

        public void Dispose()
        {
            _observer.Dispose();
            _pair.Dispose();
        }
    }

    /// <summary>Where every buffer of one queue pair is, as the test's operations put it.</summary>
    private sealed class QueueModel(QueuePair guest, QueuePair device, HostilePeer observer, int q)
    {
        private readonly HostilePeer.QueueRings _rings = observer.Queue(q);
        private readonly Packet[] _scratch = new Packet[MaxBurst];
        private readonly int _buffers = observer.Geometry.BuffersPerRing; // per direction

        // RX, device to guest. The guest posts its first ring's worth at the start; the rest wait, free.
        private readonly Queue<ulong> _fill = new(Enumerable.Range(0, Size).Select(i => observer.RxBuffer(i, q))); // posted, not taken
        private readonly List<ulong> _deviceStash = [];     // rented by the device and handed back unsent
        private readonly List<Packet> _deviceRented = [];   // the device application's
        private readonly Queue<(ulong Offset, int Length)> _rxInFlight = new(); // sent, not received
        private readonly List<Packet> _guestReceived = [];  // the guest application's
        private readonly Queue<ulong> _rxFree = new( // the guest's, waiting for room on the fill ring, oldest first
            Enumerable.Range(Size, observer.Geometry.BuffersPerRing - Size).Select(i => observer.RxBuffer(i, q)));
        private ulong _rxSent, _rxReceived;

        // TX, guest to device.
        private readonly Queue<ulong> _guestFree = new( // oldest first
            Enumerable.Range(0, observer.Geometry.BuffersPerRing).Select(i => observer.TxBuffer(i, q)));
        private readonly Queue<ulong> _txCompleted = new(); // given back by the device, not reaped
        private readonly List<Packet> _guestRented = [];
        private readonly Queue<(ulong Offset, int Length)> _txInFlight = new();
        private readonly List<Packet> _deviceReceived = [];
        private ulong _txSent, _txReceived;

        /// <summary>Laps of the RX completion ring so far.</summary>
        public long Laps => device.Writer.Counters.PacketEntries / Size;

        public void Do(Step step, int burst, int seed)
        {
            switch (step)
            {
                case Step.DeviceRent: DeviceRent(burst); break;
                case Step.DeviceSend: _rxSent = Send(device.Writer, _deviceRented, burst, _rxSent, _rxInFlight); break;
                case Step.DeviceReturnRented: _deviceStash.AddRange(ReturnSome(_deviceRented, burst, seed, device.Writer.Return)); break;
                case Step.GuestReceive: GuestReceive(burst); break;
                case Step.GuestReturn:
                    // Freed behind the buffers already free, then posted from the front while the device has room.
                    foreach (ulong offset in ReturnSome(_guestReceived, burst, seed, guest.Reader.Return))
                        _rxFree.Enqueue(offset);
                    PostFree();
                    break;
                case Step.GuestRent: GuestRent(burst); break;
                case Step.GuestSend: _txSent = Send(guest.Writer, _guestRented, burst, _txSent, _txInFlight); break;
                case Step.GuestReturnRented:
                    foreach (ulong offset in ReturnSome(_guestRented, burst, seed, guest.Writer.Return))
                        _guestFree.Enqueue(offset);
                    break;
                case Step.DeviceReceive: _txReceived = Receive(device.Reader, burst, _txInFlight, _deviceReceived, _txReceived); break;
                case Step.DeviceReturn:
                    foreach (ulong offset in ReturnSome(_deviceReceived, burst, seed, device.Reader.Return))
                        _txCompleted.Enqueue(offset);
                    break;
            }
        }

        /// <summary>
        /// Every buffer is in exactly one place, the raw rings hold what the model says between the two sides'
        /// positions, the held counters match, and nothing was dropped.
        /// </summary>
        public void Check()
        {
            var rxPlaces = new[] { _rxFree.ToList(), _fill.ToList(), _deviceStash, Offsets(_deviceRented), _rxInFlight.Select(e => e.Offset).ToList(), Offsets(_guestReceived) };
            AssertPartition(rxPlaces, Enumerable.Range(0, _buffers).Select(i => observer.RxBuffer(i, q)), "RX");
            var txPlaces = new[] { _guestFree.ToList(), _txCompleted.ToList(), Offsets(_guestRented), _txInFlight.Select(e => e.Offset).ToList(), Offsets(_deviceReceived) };
            AssertPartition(txPlaces, Enumerable.Range(0, _buffers).Select(i => observer.TxBuffer(i, q)), "TX");
            // At most a ring's worth of each direction is out: the rings can never overflow.
            Assert.InRange(RxPosted, 0, Size);
            Assert.InRange(_guestRented.Count + TxOut, 0, Size);

            var (gr, gw, dr, dw) = (guest.Reader.Counters, guest.Writer.Counters, device.Reader.Counters, device.Writer.Counters);
            Assert.Equal((_guestReceived.Count, _guestRented.Count, _deviceReceived.Count, _deviceRented.Count), ((int)gr.Held, (int)gw.Held, (int)dr.Held, (int)dw.Held));
            Assert.True(gr.Drops + gw.Drops + dr.Drops + dw.Drops == 0, $"queue {q}: a drop was counted for honest traffic");
            Assert.Equal((_rxSent, _rxReceived, _txSent, _txReceived), ((ulong)dw.Packets, (ulong)gr.Packets, (ulong)gw.Packets, (ulong)dr.Packets));

            // The rings: each side's position is its entry counter; between them sits exactly the model's queue.
            AssertBufferWindow(_rings.Fill, (uint)dw.BufferEntries, (uint)gr.BufferEntries, _fill, "fill");
            AssertDescriptorWindow(_rings.RxCompletion, (uint)gr.PacketEntries, (uint)dw.PacketEntries, _rxInFlight, "RX completion");
            AssertDescriptorWindow(_rings.Tx, (uint)dr.PacketEntries, (uint)gw.PacketEntries, _txInFlight, "TX");
            AssertBufferWindow(_rings.TxCompletion, (uint)gw.BufferEntries, (uint)dr.BufferEntries, _txCompleted, "TX completion");
        }

        /// <summary>Sends, receives and returns everything, then checks each side can take every buffer back.</summary>
        public void DrainAndCheckEveryBufferComesHome()
        {
            // RX: the device sends what it holds, the guest receives and returns it all; the device then rents what
            // the guest posts again, a ring's worth (with more buffers than that, the rest stay free on the guest's side).
            // Each receive or rent stops at the ring's wrap, so a second one takes what lies past it.
            Do(Step.DeviceSend, MaxBurst, 0);
            Do(Step.GuestReceive, MaxBurst, 0);
            Do(Step.GuestReceive, MaxBurst, 0);
            Do(Step.GuestReturn, MaxBurst, 0);
            Check();
            Assert.Equal(_rxSent, _rxReceived);
            Do(Step.DeviceRent, MaxBurst, 0);
            Do(Step.DeviceRent, MaxBurst, 0);
            Assert.Equal(Size, _deviceRented.Count);
            Do(Step.DeviceReturnRented, MaxBurst, 0);

            // TX: the guest sends what it holds, the device receives and returns it all; the guest then rents a ring's
            // worth, all it may have out at once.
            Do(Step.GuestSend, MaxBurst, 0);
            Do(Step.DeviceReceive, MaxBurst, 0);
            Do(Step.DeviceReceive, MaxBurst, 0);
            Do(Step.DeviceReturn, MaxBurst, 0);
            Check();
            Assert.Equal(_txSent, _txReceived);
            Do(Step.GuestRent, MaxBurst, 0);
            Assert.Equal(Size, _guestRented.Count);
            Do(Step.GuestReturnRented, MaxBurst, 0);
            Check();
        }

        private void DeviceRent(int burst)
        {
            // Buffers handed back unsent first, then the fill ring's entries up to its wrap (a burst's view ends there).
            int fromStash = Math.Min(burst, _deviceStash.Count);
            int expected = fromStash + Math.Min(Math.Min(burst - fromStash, _fill.Count), BeforeWrap(device.Writer.Counters.BufferEntries));
            int n = device.Writer.TryRent(_scratch.AsSpan(0, burst));
            Assert.Equal(expected, n);
            foreach (var p in _scratch.AsSpan(0, n))
            {
                Assert.Equal(0, p.Length);
                // A buffer handed back unsent, or the next one the guest posted, in the fill ring's order.
                if (!_deviceStash.Remove(p.Offset))
                    Assert.Equal(_fill.Dequeue(), p.Offset);
                _deviceRented.Add(p);
            }
        }

        /// <summary>RX buffers with the device: posted and not taken, taken (rented or handed back), or sent.</summary>
        private int RxPosted => _fill.Count + _deviceStash.Count + _deviceRented.Count + _rxInFlight.Count;

        /// <summary>TX buffers sent and not yet reaped: on the TX ring, held by the device, or completed.</summary>
        private int TxOut => _txInFlight.Count + _deviceReceived.Count + _txCompleted.Count;

        /// <summary>The guest posts its free RX buffers, oldest first, while fewer than a ring's worth are posted.</summary>
        private void PostFree()
        {
            while (RxPosted < Size && _rxFree.Count > 0)
                _fill.Enqueue(_rxFree.Dequeue());
        }

        private void GuestReceive(int burst)
        {
            int before = _guestReceived.Count;
            _rxReceived = Receive(guest.Reader, burst, _rxInFlight, _guestReceived, _rxReceived);
            if (burst > 0 && _guestReceived.Count == before)
                PostFree(); // a receive that finds nothing posts what waits for room
        }

        private void GuestRent(int burst)
        {
            // A rent reaps the completions only when its free buffers fall short, or a ring's worth would be out.
            if (_guestFree.Count < burst || _guestRented.Count + TxOut + burst > Size)
                while (_txCompleted.Count > 0)
                    _guestFree.Enqueue(_txCompleted.Dequeue());
            int expected = Math.Min(Math.Min(burst, _guestFree.Count), Size - _guestRented.Count - TxOut);
            int n = guest.Writer.TryRent(_scratch.AsSpan(0, burst));
            Assert.Equal(expected, n);
            foreach (var p in _scratch.AsSpan(0, n))
            {
                Assert.Equal(0, p.Length);
                Assert.Equal(_guestFree.Dequeue(), p.Offset); // the free buffer that has waited longest
                _guestRented.Add(p);
            }
        }

        /// <summary>Stamps and sends the first <paramref name="burst"/> rented packets in one burst; returns the next sequence.</summary>
        private static ulong Send(PacketWriter writer, List<Packet> rented, int burst, ulong sequence, Queue<(ulong, int)> inFlight)
        {
            int m = Math.Min(burst, rented.Count);
            var packets = new Packet[m];
            for (int i = 0; i < m; i++)
            {
                ulong s = sequence++;
                int length = LengthOf(s);
                var buffer = writer.GetBuffer(rented[i]);
                Assert.Equal(BufferSize, buffer.Length);
                BinaryPrimitives.WriteUInt64LittleEndian(buffer, s);
                buffer[sizeof(ulong)..length].Fill((byte)s);
                packets[i] = rented[i].WithLength(length);
                inFlight.Enqueue((packets[i].Offset, length));
            }
            Assert.Equal(m, writer.TrySend(packets));
            rented.RemoveRange(0, m);
            return sequence;
        }

        /// <summary>Receives a burst, checking order, lengths and bytes; returns the next sequence expected.</summary>
        private ulong Receive(PacketReader reader, int burst, Queue<(ulong Offset, int Length)> inFlight, List<Packet> held, ulong sequence)
        {
            // What has arrived, up to the ring's wrap: a burst's view ends there, the next receive starts the new lap.
            int expected = Math.Min(Math.Min(burst, inFlight.Count), BeforeWrap(reader.Counters.PacketEntries));
            int n = reader.TryReceive(_scratch.AsSpan(0, burst));
            Assert.Equal(expected, n);
            foreach (var p in _scratch.AsSpan(0, n))
            {
                var (offset, length) = inFlight.Dequeue();
                Assert.Equal((offset, length), (p.Offset, p.Length));
                var payload = reader.Payload(p);
                Assert.Equal(sequence, BinaryPrimitives.ReadUInt64LittleEndian(payload));
                Assert.True(payload[sizeof(ulong)..].IndexOfAnyExcept((byte)sequence) < 0, $"queue {q}: packet {sequence}'s bytes changed on the way");
                sequence++;
                held.Add(p);
            }
            return sequence;
        }

        /// <summary>Returns up to <paramref name="burst"/> of <paramref name="held"/>, chosen and ordered by
        /// <paramref name="seed"/>, in one call; returns their offsets in the order given back.</summary>
        private static List<ulong> ReturnSome(List<Packet> held, int burst, int seed, ReturnBurst giveBack)
        {
            var chosen = held.ToList();
            new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(chosen));
            chosen = chosen.Take(Math.Min(burst, held.Count)).ToList();
            giveBack(chosen.ToArray());
            foreach (var p in chosen)
                held.Remove(p);
            return Offsets(chosen);
        }

        private delegate void ReturnBurst(ReadOnlySpan<Packet> packets);

        /// <summary>Entries from a side's place (its entry counter) to the end of the ring.</summary>
        private static int BeforeWrap(long position) => Size - (int)(position % Size);

        private static int LengthOf(ulong sequence) => sizeof(ulong) + (int)(sequence % (BufferSize - sizeof(ulong) + 1));

        private static List<ulong> Offsets(IEnumerable<Packet> packets) => packets.Select(p => p.Offset).ToList();

        private void AssertPartition(IEnumerable<List<ulong>> places, IEnumerable<ulong> buffers, string direction)
        {
            var all = places.SelectMany(p => p).ToList();
            Assert.True(all.Count == _buffers && all.Order().SequenceEqual(buffers.Order()),
                $"queue {q} {direction}: the places hold [{string.Join(", ", all.Order())}], not each buffer once");
        }

        private void AssertBufferWindow(RawRing ring, uint from, uint to, IEnumerable<ulong> expected, string name)
        {
            var want = expected.ToList();
            Assert.True(to - from == (uint)want.Count, $"queue {q} {name}: {to - from} entries between the sides, the model has {want.Count}");
            for (int i = 0; i < want.Count; i++)
            {
                Assert.True(ring.ReadBuffer(from + (uint)i, out ulong offset), $"queue {q} {name}: entry {from + (uint)i} is not ready");
                Assert.Equal(want[i], offset);
            }
            Assert.False(ring.ReadBuffer(to, out _), $"queue {q} {name}: entry {to}, not written yet, reads ready");
        }

        private void AssertDescriptorWindow(RawRing ring, uint from, uint to, IEnumerable<(ulong Offset, int Length)> expected, string name)
        {
            var want = expected.ToList();
            Assert.True(to - from == (uint)want.Count, $"queue {q} {name}: {to - from} entries between the sides, the model has {want.Count}");
            for (int i = 0; i < want.Count; i++)
            {
                Assert.True(ring.ReadDescriptor(from + (uint)i, out var d), $"queue {q} {name}: entry {from + (uint)i} is not ready");
                Assert.Equal((want[i].Offset, (uint)want[i].Length, Layout.DescriptorFlags.EndOfPacket), (d.Offset, d.Length, d.Flags));
            }
            Assert.False(ring.ReadDescriptor(to, out _), $"queue {q} {name}: entry {to}, not written yet, reads ready");
        }
    }
}
