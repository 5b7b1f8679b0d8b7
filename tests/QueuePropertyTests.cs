using System.Buffers.Binary;
using CsCheck;
using Ring.Queues;
using Ring.Region;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// Random interleavings of every burst verb on both sides of one queue pair, driven from one thread over a real
/// region. After every step: each buffer is in exactly one place and the counts add up to the ring size; every
/// burst moved as many as the VARIABLE contract says; payloads arrive in FIFO order. At the end both directions
/// drain and every buffer comes back.
/// </summary>
public sealed class QueuePropertyTests
{
    private const int Size = 16;
    private const int BufferSize = 64;
    private const int SequenceLength = sizeof(ulong);
    private static readonly RegionGeometry Geometry = RegionGeometry.ForQueues(1, Size, BufferSize);

    /// <summary>One verb on one side; the burst size is drawn up to 2.5 rings so bursts often exceed what fits.</summary>
    private enum Step
    {
        GuestPostFill,
        DeviceTakeRx,
        DeviceCompleteRx,
        GuestReceive,
        GuestRecycle,
        GuestAllocateTx,
        GuestSend,
        DeviceReceiveTx,
        DeviceCompleteTx,
        GuestReap,
    }

    [Fact]
    public void AnyBurstSequence_BothDirections_ConservesBuffersAndKeepsFifoOrder()
    {
        Gen.Select(Gen.Enum<Step>(), Gen.Int[0, Size * 5 / 2]).Array[1, 300]
            .Sample(steps =>
            {
                using var run = new Run();
                foreach (var (step, burst) in steps)
                {
                    run.Do(step, burst);
                    run.CheckConservation();
                }
                run.DrainAndCheckEveryBufferReturns();
            }, iter: 150);
    }

    /// <summary>One region, both queue sides, and the test's model of what the application and device hold.</summary>
    private sealed class Run : IDisposable
    {
        private readonly RegionPair _pair = RegionPair.Start(Geometry);
        private readonly HostilePeer _observer; // reads the shared indices and slots; writes nothing
        private readonly GuestQueue _guest;
        private readonly DeviceQueue _device;

        private readonly List<Packet> _rxHeld = [];  // received by the application, not yet recycled
        private readonly List<Packet> _txHeld = [];  // allocated by the application, not yet sent
        private readonly Packet[] _deviceRx = new Packet[Size * 5 / 2];
        private readonly Packet[] _scratch = new Packet[Size * 5 / 2];
        private int _deviceRxTaken = -1;  // buffers from the last TakeRxBuffers, -1 when none are pending
        private bool _deviceTxPending;
        private int _rxFree;              // model of the guest's free RX buffers (none once the fill is posted)

        private ulong _rxFilled, _rxReceived, _txWritten, _txReceived; // sequence numbers, per direction

        public Run()
        {
            _observer = _pair.OpenPeer();
            _guest = _pair.GuestQueue;
            _device = _pair.DeviceQueue;
        }

        private long Fill => _observer.Rings.RxFill;
        private long RxCompletion => _observer.Rings.RxCompletion;
        private long Tx => _observer.Rings.Tx;
        private long TxCompletion => _observer.Rings.TxCompletion;

        public void Do(Step step, int burst)
        {
            switch (step)
            {
                case Step.GuestPostFill: GuestPostFill(); break;
                case Step.DeviceTakeRx: DeviceTakeRx(burst); break;
                case Step.DeviceCompleteRx: DeviceCompleteRx(); break;
                case Step.GuestReceive: GuestReceive(burst); break;
                case Step.GuestRecycle: GuestRecycle(burst); break;
                case Step.GuestAllocateTx: GuestAllocateTx(burst); break;
                case Step.GuestSend: GuestSend(burst); break;
                case Step.DeviceReceiveTx: DeviceReceiveTx(burst); break;
                case Step.DeviceCompleteTx: DeviceCompleteTx(); break;
                case Step.GuestReap: GuestReap(); break;
            }
        }

        private void GuestPostFill()
        {
            int room = Size - _observer.Count(Fill);
            int n = _guest.PostFill();
            Assert.Equal(Math.Min(_rxFree, room), n);
            _rxFree -= n;
        }

        private void DeviceTakeRx(int burst)
        {
            if (_deviceRxTaken >= 0)
                return; // the device completes a burst before it takes the next
            int expected = Math.Min(burst, Math.Min(_observer.Count(Fill), Size - _observer.Count(RxCompletion)));
            int n = _device.TakeRxBuffers(_deviceRx.AsSpan(0, burst));
            Assert.Equal(expected, n);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(BufferSize, _deviceRx[i].Length);
                _deviceRx[i] = WriteSequence(_device.Pool, _deviceRx[i], _rxFilled++);
            }
            _deviceRxTaken = n;
        }

        private void DeviceCompleteRx()
        {
            if (_deviceRxTaken < 0)
                return;
            _device.CompleteRx(_deviceRx.AsSpan(0, _deviceRxTaken));
            _deviceRxTaken = -1;
        }

        private void GuestReceive(int burst)
        {
            int expected = Math.Min(burst, _observer.Count(RxCompletion));
            int n = _guest.ReceiveBurst(_scratch.AsSpan(0, burst));
            Assert.Equal(expected, n);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(_rxReceived++, ReadSequence(_guest.Pool, _scratch[i]));
                _rxHeld.Add(_scratch[i]);
            }
        }

        private void GuestRecycle(int burst)
        {
            int m = Math.Min(burst, _rxHeld.Count);
            // Recycle posts as many as fit; when all fit it also posts the free ones; the rest become free.
            int room = Size - _observer.Count(Fill);
            int expectedPosted = room >= m ? m + Math.Min(_rxFree, room - m) : room;
            uint before = _observer.ProducerIndex(Fill);

            _guest.Recycle(_rxHeld.GetRange(0, m).ToArray());

            int posted = (int)(_observer.ProducerIndex(Fill) - before);
            Assert.Equal(expectedPosted, posted);
            _rxHeld.RemoveRange(0, m);
            _rxFree += m - posted;
        }

        private void GuestAllocateTx(int burst)
        {
            int expected = Math.Min(burst, _guest.TxFree);
            int n = _guest.AllocateTx(_scratch.AsSpan(0, burst), BufferSize);
            Assert.Equal(expected, n);
            for (int i = 0; i < n; i++)
                _txHeld.Add(WriteSequence(_guest.Pool, _scratch[i], _txWritten++));
        }

        private void GuestSend(int burst)
        {
            int m = Math.Min(burst, _txHeld.Count);
            int expected = Math.Min(m, Size - _observer.Count(Tx));
            int n = _guest.SendBurst(_txHeld.GetRange(0, m).ToArray());
            Assert.Equal(expected, n);
            _txHeld.RemoveRange(0, n);
        }

        private void DeviceReceiveTx(int burst)
        {
            if (_deviceTxPending)
                return;
            int expected = Math.Min(burst, Math.Min(_observer.Count(Tx), Size - _observer.Count(TxCompletion)));
            int n = _device.ReceiveTx(_scratch.AsSpan(0, burst));
            Assert.Equal(expected, n);
            for (int i = 0; i < n; i++)
                Assert.Equal(_txReceived++, ReadSequence(_device.Pool, _scratch[i]));
            _deviceTxPending = true;
        }

        private void DeviceCompleteTx()
        {
            if (!_deviceTxPending)
                return;
            _device.CompleteTx();
            _deviceTxPending = false;
        }

        private void GuestReap()
        {
            int expected = _observer.Count(TxCompletion);
            Assert.Equal(expected, _guest.ReapTxCompletions());
        }

        /// <summary>
        /// Every buffer is in exactly one place. RX: held by the application, on the fill ring (a buffer the device
        /// took but has not completed is still there: its slot is released only on completion), on the completion
        /// ring, or free in the guest. TX: held, on the TX ring (likewise until completed), on the TX completion
        /// ring, or free. No buffer is in two places, and each is one of the queue's own.
        /// </summary>
        public void CheckConservation()
        {
            int fill = _observer.Count(Fill), rxCompletion = _observer.Count(RxCompletion);
            int tx = _observer.Count(Tx), txCompletion = _observer.Count(TxCompletion);
            Assert.InRange(fill, 0, Size);
            Assert.InRange(rxCompletion, 0, Size);
            Assert.InRange(tx, 0, Size);
            Assert.InRange(txCompletion, 0, Size);

            Assert.Equal(Size, _rxHeld.Count + fill + rxCompletion + _rxFree);
            Assert.Equal(Size, _txHeld.Count + _guest.TxInFlight + _guest.TxFree);
            Assert.Equal(tx + txCompletion, _guest.TxInFlight);

            var rx = new List<ulong>(_rxHeld.Select(p => p.Offset));
            rx.AddRange(Window(Fill, fill).Select(i => _observer.ReadOffsetEntry(Fill, i)));
            rx.AddRange(Window(RxCompletion, rxCompletion).Select(i => _observer.ReadDescriptor(RxCompletion, i).BufferOffset));
            AssertDistinctBuffersOf(rx, _observer.RxBuffer(0));

            var txs = new List<ulong>(_txHeld.Select(p => p.Offset));
            txs.AddRange(Window(Tx, tx).Select(i => _observer.ReadDescriptor(Tx, i).BufferOffset));
            txs.AddRange(Window(TxCompletion, txCompletion).Select(i => _observer.ReadOffsetEntry(TxCompletion, i)));
            AssertDistinctBuffersOf(txs, _observer.TxBuffer(0));

            Assert.Equal(0, _guest.RxDrops.Total);
            Assert.Equal(0, _guest.TxCompletionDrops.Total);
            Assert.Equal(0, _device.FillDrops.Total);
            Assert.Equal(0, _device.TxDrops.Total);
        }

        /// <summary>Finishes every pending burst, drains both directions, and checks all buffers come home.</summary>
        public void DrainAndCheckEveryBufferReturns()
        {
            DeviceCompleteRx();
            DeviceCompleteTx();
            GuestReceive(Size);
            GuestRecycle(_rxHeld.Count);
            GuestPostFill();
            CheckConservation();

            Assert.Equal(_rxFilled, _rxReceived);
            Assert.Equal(0, _rxFree);
            Assert.Equal(Size, _observer.Count(Fill));
            var posted = Window(Fill, Size).Select(i => _observer.ReadOffsetEntry(Fill, i));
            Assert.Equal(Enumerable.Range(0, Size).Select(_observer.RxBuffer), posted.Order());

            GuestReap();
            GuestSend(_txHeld.Count);
            Assert.Empty(_txHeld);
            DeviceReceiveTx(Size);
            DeviceCompleteTx();
            GuestReap();
            CheckConservation();

            Assert.Equal(_txWritten, _txReceived);
            Assert.Equal(0, _guest.TxInFlight);
            Assert.Equal(Size, _guest.TxFree);
            Assert.Equal(Size, _guest.AllocateTx(_scratch, BufferSize));
            Assert.Equal(Enumerable.Range(0, Size).Select(_observer.TxBuffer), _scratch.Take(Size).Select(p => p.Offset).Order());
        }

        public void Dispose()
        {
            _observer.Dispose();
            _pair.Dispose();
        }

        private IEnumerable<uint> Window(long ring, int count)
        {
            uint consumer = _observer.ConsumerIndex(ring);
            return Enumerable.Range(0, count).Select(i => consumer + (uint)i);
        }

        private static void AssertDistinctBuffersOf(List<ulong> offsets, ulong first)
        {
            Assert.Equal(offsets.Count, offsets.Distinct().Count());
            foreach (ulong offset in offsets)
            {
                Assert.InRange(offset, first, first + (Size - 1) * BufferSize);
                Assert.Equal(0UL, offset % BufferSize);
            }
        }

        /// <summary>Stamps <paramref name="sequence"/> into the buffer and sizes the packet from it (8..64 bytes), so a
        /// swapped, lost or truncated packet shows.</summary>
        private static Packet WriteSequence(BufferPool pool, Packet packet, ulong sequence)
        {
            var sized = packet.WithLength(SequenceLength + (int)(sequence % (BufferSize - SequenceLength + 1)));
            var payload = pool.Payload(sized);
            BinaryPrimitives.WriteUInt64LittleEndian(payload, sequence);
            payload[SequenceLength..].Fill((byte)sequence);
            return sized;
        }

        private static ulong ReadSequence(BufferPool pool, Packet packet)
        {
            var payload = pool.Payload(packet);
            ulong sequence = BinaryPrimitives.ReadUInt64LittleEndian(payload);
            Assert.Equal(SequenceLength + (int)(sequence % (BufferSize - SequenceLength + 1)), packet.Length);
            Assert.All(payload[SequenceLength..].ToArray(), b => Assert.Equal((byte)sequence, b));
            return sequence;
        }
    }
}
