using Ring.Doorbells;
using Ring.Layout;
using Ring.Memory;
using Ring.Rings;
using static Ring.Queues.BufferStates;

namespace Ring.Queues;

/// <summary>
/// The device's writer (RX, device to guest): rents the buffers the guest posted on the fill ring and sends
/// packets in them on the RX completion ring.
/// </summary>
/// <remarks>
/// Design: every fill entry is copied out once and checked (inside the pool, on a buffer start, not a buffer this
/// side already holds); a bad one is dropped and counted, never written to. The device cannot know the guest's
/// partition of the pool, so it checks only what it can. Buffers rented and handed back unsent wait in a FIFO for
/// the next rent. The RX completion ring needs no check for room: an honest guest posts no more buffers than the
/// ring holds, and a dishonest one only overwrites completions it has not read. Not thread-safe: one thread at a
/// time.
/// </remarks>
internal sealed unsafe class DeviceSender : Sender
{
    private readonly RingPosition _fill;
    private readonly RingPosition _completions;
    private readonly Doorbell _doorbell;
    private readonly BufferIndexer _buffers; // pool offset -> buffer index
    private readonly byte[] _states;  // per pool buffer: Free (the guest's), Held (the application's), Posted (stashed)
    private readonly ulong[] _stash;  // FIFO of rented-then-returned buffers
    private readonly uint _stashMask;
    private uint _stashHead;
    private int _stashCount;

    public DeviceSender(QueueSide side) : base(side, QueueControlLayout.RxEndOfStreamOffset, CountersLayout.DeviceSenderOffset)
    {
        _fill = side.Ring(side.Offsets.RxFill);
        _completions = side.Ring(side.Offsets.RxCompletion);
        _doorbell = side.PeerDoorbell(Stats, guest: false);
        _buffers = new BufferIndexer(side.Geometry.BufferStride, side.Geometry.BufferCount);
        _states = new byte[side.Geometry.BufferCount];
        _stash = new ulong[System.Numerics.BitOperations.RoundUpToPowerOf2((uint)side.Geometry.BufferCount)];
        _stashMask = (uint)_stash.Length - 1;
    }

    /// <summary>Reads, once the guest has declared its mode, whether it sleeps; and sets coalescing.</summary>
    public void ArmDoorbell(int coalesceFrames, TimeSpan coalesceTime)
    {
        _doorbell.Arm();
        _doorbell.Coalesce(coalesceFrames, coalesceTime);
    }

    /// <summary>Whether a coalesced doorbell is owed to the guest (never sleep on one: the guest may wait for it).</summary>
    public bool DoorbellOwed => _doorbell.Owed;

    /// <inheritdoc />
    public override void FlushDoorbell() => _doorbell.Flush();

    /// <inheritdoc />
    public override void FlushDoorbellIfDue() => _doorbell.FlushIfDue();

    /// <inheritdoc />
    /// <remarks>A device is not reset: it attaches again, with new halves.</remarks>
    protected override void ResetRings() => throw new InvalidOperationException("a device's queue pairs are not reset: attach again");

    /// <inheritdoc />
    protected override bool BufferAvailable() => _stashCount != 0 || new BufferReader(_fill).FirstReady();

    /// <inheritdoc />
    protected override int RentBurst(Span<Packet> packets)
    {
        int region = Side.Region.Id;
        int rented = 0;
        if (_stashCount != 0)
            rented = RentStashed(packets, region);
        var fill = new BufferReader(_fill);
        int limit = fill.Limit(packets.Length - rented);
        var buffers = _buffers;
        byte[] states = _states;
        int i = 0;
        for (; i < limit; i++)
        {
            if (!fill.TryRead(i, out ulong offset))
                break;
            // The copy is checked, then only it is used.
            if (!buffers.TryIndex(offset, out uint index))
            {
                Stats.Drop(BufferPool.WhyNot(offset, Side.Pool.Length));
                continue;
            }
            if (states[index] != Free)
            {
                Stats.Drop(DropReason.BufferNotOwned); // posted twice: this side holds it already
                continue;
            }
            states[index] = Held;
            packets[rented++] = new Packet(offset, 0, region);
        }
        if (i != 0)
            _fill.Next += (uint)i;
        Stats.CountBuffers(i, rented);
        return rented;
    }

    /// <inheritdoc />
    protected override int SendBurst(ReadOnlySpan<Packet> packets)
    {
        var buffers = _buffers;
        byte[] states = _states;
        int region = Side.Region.Id;
        uint bufferSize = (uint)BufferSize;
        ulong bytes = 0;
        ThrowIfBadChains(packets);
        // Validate and release first: a packet that is not ours changes nothing, and no entry is published for it.
        for (int i = 0; i < packets.Length; i++)
        {
            Packet p = packets[i];
            if (p.Region != region || !buffers.TryIndex(p.Offset, out uint index) || states[index] != Held || (uint)p.Length > bufferSize)
            {
                for (int j = 0; j < i; j++)
                    states[buffers.IndexOf(packets[j].Offset)] = Held;
                throw GuestSender.NotSendable(p, bufferSize);
            }
            states[index] = Free;
            bytes += (uint)p.Length;
        }
        var ring = new DescriptorWriter(_completions);
        for (int i = packets.Length - 1; i >= 0; i--) // back to front: the entry the guest polls is stored last
            ring.Write(i, packets[i].Offset, (uint)packets[i].Length, packets[i].ContinuesInNext ? DescriptorFlags.None : DescriptorFlags.EndOfPacket);
        int n = packets.Length;
        _completions.Next += (uint)n;
        Stats.CountPackets(n, n, bytes, -n);
        _doorbell.Published(n);
        return n;
    }

    /// <inheritdoc />
    protected override void ReturnBurst(ReadOnlySpan<Packet> packets)
    {
        var buffers = _buffers;
        int region = Side.Region.Id;
        for (int i = 0; i < packets.Length; i++)
        {
            Packet p = packets[i];
            if (p.Region != region || !buffers.TryIndex(p.Offset, out uint index) || _states[index] != Held)
            {
                for (int j = 0; j < i; j++)
                    _states[buffers.IndexOf(packets[j].Offset)] = Held;
                throw new InvalidOperationException($"{p} is not a rented buffer the application holds");
            }
            _states[index] = Posted;
        }
        foreach (var p in packets)
            _stash[(_stashHead + (uint)_stashCount++) & _stashMask] = p.Offset;
        Stats.CountBuffers(0, -packets.Length);
    }

    /// <summary>Rents from the buffers the application returned unsent, oldest first.</summary>
    private int RentStashed(Span<Packet> packets, int region)
    {
        int rented = 0;
        while (_stashCount != 0 && rented < packets.Length)
        {
            ulong offset = _stash[_stashHead++ & _stashMask];
            _stashCount--;
            _states[_buffers.IndexOf(offset)] = Held;
            packets[rented++] = new Packet(offset, 0, region);
        }
        return rented;
    }
}
