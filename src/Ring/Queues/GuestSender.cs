using Ring.Doorbells;
using Ring.Layout;
using Ring.Memory;
using Ring.Rings;
using static Ring.Queues.BufferStates;

namespace Ring.Queues;

/// <summary>
/// The guest's writer (TX): rents the queue's own TX buffers, sends them on the TX ring, and takes them back from
/// the TX completion ring.
/// </summary>
/// <remarks>
/// Design: the queue owns one ring's worth of TX buffers and tracks each one's state, so a completion the device
/// forges or repeats is dropped, never turned into a second copy of a free buffer. Free buffers are reused first in,
/// first out, so the guest writes the buffer the device read longest ago, not the line it read a moment earlier.
/// Completions are reaped only when a rent finds fewer free buffers than it wants (DPDK's tx_free_thresh): each
/// reap reads lines the device wrote. The TX ring needs no check for room: it holds as many entries as the queue
/// has TX buffers: at most a ring's worth are rented or in flight, forwarded RX buffers (<see cref="Forward"/>)
/// included. Not thread-safe: one thread at a time, the reader's thread when the application forwards.
/// </remarks>
internal sealed unsafe class GuestSender : Sender
{
    private readonly RingPosition _tx;
    private readonly RingPosition _completions;
    private readonly Doorbell _doorbell;
    private readonly ulong _first;
    private readonly BufferIndexer _buffers;
    private readonly byte[] _states;
    private readonly BufferFifo _free;
    private readonly GuestReceiver _home; // the queue pair's reader: forwarded RX buffers go back to it when completed
    private readonly int _ringSize;  // the most buffers rented or in flight at once: the TX ring never overflows
    private int _held;               // rented by the application, not sent
    private long _inFlight;          // sent (own buffers and forwarded RX ones), not yet completed by the device

    public GuestSender(QueueSide side, GuestReceiver home) : base(side, QueueControlLayout.TxEndOfStreamOffset, CountersLayout.GuestSenderOffset)
    {
        _home = home;
        home.Lender = this;
        _tx = side.Ring(side.Offsets.Tx);
        _completions = side.Ring(side.Offsets.TxCompletion);
        _doorbell = side.PeerDoorbell(Stats, guest: true);
        _first = side.Geometry.TxFirst(side.Index);
        int buffers = side.Geometry.BuffersPerRing;
        _ringSize = side.Geometry.RingSize;
        _buffers = new BufferIndexer(side.Geometry.BufferStride, buffers);
        _states = new byte[buffers];
        _free = new BufferFifo(buffers);
        for (int i = 0; i < buffers; i++)
            _free.Push(_first + (ulong)i * (ulong)side.Geometry.BufferStride);
    }

    /// <summary>Reads, once the device has declared its mode, whether it sleeps.</summary>
    public void ArmDoorbell() => _doorbell.Arm();

    /// <summary>Buffers sent and not yet given back by the device (reaps what came back first).</summary>
    public long InFlight
    {
        get
        {
            Gate.Enter(this);
            try
            {
                Reap();
                WantsBuffers |= _inFlight != 0; // a caller waiting for them to come back wants to wake for them
                return _inFlight;
            }
            finally
            {
                Gate.Exit();
            }
        }
    }

    /// <inheritdoc />
    protected override void ResetRings()
    {
        // Every buffer in flight comes back; rented ones stay the application's.
        ReclaimedAtReset = (int)_inFlight;
        ReclaimPosted(_states, _free, _first, (ulong)Side.Geometry.BufferStride);
        _inFlight = 0;
        _tx.Next = 0;
        _completions.Next = 0;
        _doorbell.Reset();
    }

    /// <summary>Buffers that were in flight when the device was last reset, and came back.</summary>
    public int ReclaimedAtReset { get; private set; }

    /// <inheritdoc />
    public override void FlushDoorbell() => _doorbell.Flush();

    /// <inheritdoc />
    public override void FlushDoorbellIfDue() => _doorbell.FlushIfDue();

    /// <inheritdoc />
    protected override bool BufferAvailable() =>
        (_free.Count != 0 && _held + _inFlight < _ringSize) || CompletionReady;

    /// <inheritdoc />
    protected override int RentBurst(Span<Packet> packets)
    {
        if (_free.Count < packets.Length || _held + _inFlight + packets.Length > _ringSize)
            Reap();
        // At most a ring's worth rented or in flight: every buffer rented can be sent, and the TX ring never overflows.
        int n = (int)Math.Min(Math.Min(packets.Length, _free.Count), _ringSize - _held - _inFlight);
        var free = _free;
        byte[] states = _states;
        var buffers = _buffers;
        ulong first = _first;
        int region = Side.Region.Id;
        for (int i = 0; i < n; i++)
        {
            ulong offset = free.Pop();
            states[buffers.IndexOf(offset - first)] = Held;
            packets[i] = new Packet(offset, 0, region);
        }
        _held += n;
        Stats.CountBuffers(0, n);
        return n;
    }

    /// <inheritdoc />
    protected override int SendBurst(ReadOnlySpan<Packet> packets)
    {
        var buffers = _buffers;
        byte[] states = _states;
        ulong first = _first;
        int region = Side.Region.Id;
        uint bufferSize = (uint)BufferSize;
        ThrowIfBadChains(packets);
        // Validate and claim first: a packet that is not ours changes nothing, and no entry is published for it.
        for (int i = 0; i < packets.Length; i++)
        {
            Packet p = packets[i];
            if (p.Region != region || !buffers.TryIndex(p.Offset - first, out uint index) || states[index] != Held
                || (uint)p.Length > bufferSize)
            {
                for (int j = 0; j < i; j++)
                    states[buffers.IndexOf(packets[j].Offset - first)] = Held;
                throw NotSendable(p, bufferSize);
            }
            states[index] = Posted;
        }
        Publish(packets, heldChange: -packets.Length);
        _held -= packets.Length;
        return packets.Length;
    }

    /// <summary>
    /// Sends received packets in their own RX buffers (zero-copy forwarding), as many from the front as the TX ring
    /// has room for, never cutting a chain; returns how many. The reader lends them (<see cref="GuestReceiver.Lend"/>
    /// validates them all first, so a bad one changes nothing), and takes each back when its completion comes.
    /// </summary>
    public int Forward(ReadOnlySpan<Packet> packets)
    {
        Gate.Enter(this);
        try
        {
            ThrowIfCompleted();
            ThrowIfBadChains(packets);
            if (_held + _inFlight + packets.Length > _ringSize)
                Reap();
            int n = (int)Math.Min(packets.Length, _ringSize - _held - _inFlight); // the TX ring never overflows
            while (n > 0 && packets[n - 1].ContinuesInNext)
                n--; // a chain goes whole or waits
            WantsBuffers = n < packets.Length; // room on the ring comes back with the device's completions: wake for them
            if (n == 0)
                return 0;
            var burst = packets[..n];
            _home.Lend(burst);
            Publish(burst, heldChange: 0); // the reader counted them out of the application's hands (Lend)
            _home.PostFree(); // the fill ring has room for as many as were received: refill it now, after the publish
            return n;
        }
        finally
        {
            Gate.Exit();
        }
    }

    /// <summary>Writes validated packets to the TX ring, back to front, and counts them in flight; the application's
    /// rented buffers change by <paramref name="heldChange"/>, counted with the packets in one go.</summary>
    private void Publish(ReadOnlySpan<Packet> packets, int heldChange)
    {
        ulong bytes = 0;
        var tx = new DescriptorWriter(_tx);
        for (int i = packets.Length - 1; i >= 0; i--) // back to front: the entry the device polls is stored last
        {
            Packet p = packets[i];
            tx.Write(i, p.Offset, (uint)p.Length, p.ContinuesInNext ? DescriptorFlags.None : DescriptorFlags.EndOfPacket);
            bytes += (uint)p.Length;
        }
        int n = packets.Length;
        _tx.Next += (uint)n;
        _inFlight += n;
        Stats.CountPackets(n, n, bytes, heldChange);
        _doorbell.Published(n);
    }

    /// <inheritdoc />
    protected override void ReturnBurst(ReadOnlySpan<Packet> packets)
    {
        var buffers = _buffers;
        byte[] states = _states;
        int region = Side.Region.Id;
        for (int i = 0; i < packets.Length; i++)
        {
            Packet p = packets[i];
            if (p.Region != region || !buffers.TryIndex(p.Offset - _first, out uint index) || states[index] != Held)
            {
                for (int j = 0; j < i; j++)
                    states[buffers.IndexOf(packets[j].Offset - _first)] = Held;
                throw new InvalidOperationException($"{p} is not a rented buffer the application holds (sent or returned already, or never rented here)");
            }
            states[index] = Free;
        }
        foreach (var p in packets)
            _free.Push(p.Offset);
        _held -= packets.Length;
        Stats.CountBuffers(0, -packets.Length);
    }

    /// <summary>Whether the device has completed a buffer not yet reaped (one acquire load).</summary>
    public bool CompletionReady => new BufferReader(_completions).FirstReady();

    /// <summary>Takes back every buffer the device has completed: it becomes free to rent, or, forwarded, goes home
    /// to the reader. A completion that names no buffer of ours, or one that is not with the device, is dropped and
    /// counted.</summary>
    public void Reap()
    {
        if (ReapToWrap())
            ReapToWrap(); // the rest, on the next lap: at most one ring's worth per reap, whatever the device writes
    }

    /// <summary>Reaps up to the ring's wrap; returns whether it reached it (more may wait on the next lap).</summary>
    private bool ReapToWrap()
    {
        var ring = new BufferReader(_completions);
        int limit = ring.Limit(_states.Length);
        var buffers = _buffers;
        byte[] states = _states;
        ulong first = _first;
        int i = 0, reaped = 0;
        for (; i < limit; i++)
        {
            if (!ring.TryRead(i, out ulong offset))
                break;
            ulong relative = offset - first;
            if (!buffers.TryIndex(relative, out uint index))
            {
                if (_home.TakeHome(offset))
                    reaped++; // a forwarded RX buffer, home again
                else
                    Stats.Drop(BufferPool.WhyNot(relative, Side.Geometry.SideLength));
                continue;
            }
            if (states[index] != Posted)
            {
                Stats.Drop(DropReason.BufferNotOwned);
                continue;
            }
            states[index] = Free;
            _free.Push(offset);
            reaped++;
        }
        if (i == 0)
            return false;
        _completions.Next += (uint)i;
        _inFlight -= reaped;
        Stats.CountBuffers(i, 0);
        return i == limit;
    }

    /// <summary>What to throw for a packet a writer cannot send: too long, or not one it rented out.</summary>
    internal static Exception NotSendable(Packet packet, uint bufferSize) => (uint)packet.Length > bufferSize
        ? new ArgumentOutOfRangeException(nameof(packet), packet.Length, $"a packet holds at most {bufferSize} bytes")
        : new InvalidOperationException($"{packet} is not a rented buffer the application holds (sent twice, or never rented here)");
}
