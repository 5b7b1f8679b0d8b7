using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Ring.Doorbells;
using Ring.Layout;
using Ring.Memory;
using Ring.Rings;
using static Ring.Queues.BufferStates;

namespace Ring.Queues;

/// <summary>
/// The guest's reader (RX): receives the device's RX completions and gives the buffers back on the fill ring.
/// </summary>
/// <remarks>
/// Design: the queue owns one ring's worth of RX buffers, contiguous in the pool. It tracks every buffer's state
/// (posted to the device, held by the application, free here), so a completion the device forges or repeats is
/// dropped rather than handing the application a buffer twice, and the buffers are conserved. The fill ring needs
/// no check for room: it holds as many entries as the queue has RX buffers, and only buffers this side holds are
/// posted. A receive stores nothing in the region but its counters; a return writes the fill entries back to front
/// (<see cref="BufferWriter"/>) and rings the device only when it sleeps. A received buffer may also leave on the TX
/// ring (<see cref="Lend"/>, zero-copy forwarding) and come home through the writer's TX completions
/// (<see cref="TakeHome"/>). Not thread-safe: one thread at a time.
/// </remarks>
internal sealed unsafe class GuestReceiver : Receiver
{
    private readonly RingPosition _completions;
    private readonly RingPosition _fill;
    private readonly Doorbell _doorbell;
    private readonly ulong _first;         // pool offset of this queue's first RX buffer
    private readonly BufferIndexer _buffers; // offsets relative to _first -> index of one of this queue's RX buffers
    private readonly byte[] _states;       // per RX buffer
    private readonly BufferFifo _free;     // free here, waiting for room on the fill ring
    private readonly int _ringSize;        // the most buffers that may be with the device: the fill ring never overflows
    private int _posted;                   // buffers with the device (state Posted)
    private int _forwarded;                // buffers with the device on the TX ring (state Forwarded)

    public GuestReceiver(QueueSide side) : base(side, QueueControlLayout.RxEndOfStreamOffset, CountersLayout.GuestReceiverOffset)
    {
        _completions = side.Ring(side.Offsets.RxCompletion);
        _fill = side.Ring(side.Offsets.RxFill);
        _doorbell = side.PeerDoorbell(Stats, guest: true);
        _first = side.Geometry.RxFirst(side.Index);
        int buffers = side.Geometry.BuffersPerRing;
        _ringSize = side.Geometry.RingSize;
        _buffers = new BufferIndexer(side.Geometry.BufferStride, buffers);
        _states = new byte[buffers];
        _free = new BufferFifo(buffers);
        for (int i = 0; i < buffers; i++)
            _free.Push(_first + (ulong)i * (ulong)side.Geometry.BufferStride);
    }

    /// <summary>Reads, once the device has declared its mode, whether it sleeps (so posting may ring it).</summary>
    public void ArmDoorbell() => _doorbell.Arm();

    /// <summary>Posts free buffers, oldest first, on the fill ring, as many as fit: at most a ring's worth is ever
    /// with the device, so the fill ring, which holds that many, never overflows.</summary>
    public void PostFree()
    {
        int n = Math.Min(_free.Count, _ringSize - _posted);
        if (n <= 0)
            return; // nothing to post: leave the ring's line in the device's cache alone
        var fill = new BufferWriter(_fill);
        var free = _free;
        byte[] states = _states;
        for (int i = n - 1; i >= 0; i--) // back to front: the entry the device polls is stored last
        {
            ulong offset = free.Peek(i);
            states[_buffers.IndexOf(offset - _first)] = Posted;
            fill.Write(i, offset);
        }
        free.Skip(n);
        _fill.Next += (uint)n;
        _posted += n;
        Stats.CountBuffers(n, 0);
        _doorbell.Published(n);
    }

    /// <inheritdoc />
    protected override void ResetRings()
    {
        // Every buffer that was with the device comes back, oldest first after those already free; the ones the
        // application holds stay its own and are posted when it returns them.
        ReclaimedAtReset = _posted;
        ReclaimPosted(_states, _free, _first, (ulong)Side.Geometry.BufferStride);
        _posted = 0;
        _forwarded = 0;
        _completions.Next = 0;
        _fill.Next = 0;
        _doorbell.Reset();
    }

    /// <summary>Buffers that were with the device when it was last reset, and came back.</summary>
    public int ReclaimedAtReset { get; private set; }

    /// <inheritdoc />
    public override bool FirstReady() => new DescriptorReader(_completions).FirstReady();

    /// <inheritdoc />
    protected override bool HoldsEveryBuffer => Stats.Held == (ulong)_states.Length;

    /// <summary>The queue pair's writer, which sends forwarded buffers and takes them back (set by it).</summary>
    public GuestSender? Lender { private get; set; }

    /// <summary>Whether every buffer not with the device or the application is out on the TX ring, forwarded: nothing
    /// to post until the writer reaps them home. Forwarded buffers come home when the writer reaps its completions,
    /// which it does when its ring fills; a forwarding loop with no buffer left to post would receive nothing and
    /// never forward again, so never reap: the reader reaps for it (the forwarding contract puts both halves on this
    /// thread).</summary>
    private bool WaitingForForwarded => _forwarded != 0 && _free.Count == 0;

    /// <inheritdoc />
    protected override bool IdleWorkReady => WaitingForForwarded && Lender!.CompletionReady;

    /// <inheritdoc />
    protected override void WhenIdle()
    {
        if (WaitingForForwarded)
            Lender!.Reap();
        PostFree();
    }

    /// <inheritdoc />
    protected override int ReceiveBurst(Span<Packet> packets, out int entries)
    {
        var ring = new DescriptorReader(_completions);
        int limit = ring.Limit(packets.Length);
        var buffers = _buffers;
        ref byte states = ref MemoryMarshal.GetArrayDataReference(_states);
        ref Packet into = ref MemoryMarshal.GetReference(packets);
        ulong first = _first;
        uint bufferSize = (uint)BufferSize;
        int region = Side.Region.Id;
        byte* pool = PoolBase;
        bool prefetch = Sse.IsSupported && _forwarded == 0; // not while the application forwards: see Receiver, "Prefetch"
        int received = 0, i = 0;
        for (; i < limit; i++)
        {
            if (!ring.TryRead(i, out ulong offset, out ulong control))
                break;
            // The copies are validated here and only they are used below. Each check is needed: a completion is
            // the device's word, and the guest hands the application nothing it did not verify.
            uint length = (uint)control;
            if (!buffers.TryIndex(offset - first, out uint index) | length > bufferSize
                | (control & Descriptor.EndOfPacketBit) == 0)
            {
                int taken = Irregular(_completions, i, offset, control, packets, ref received); // a chain, or a drop
                if (taken == 0)
                    break;
                i += taken - 1;
                continue;
            }
            ref byte state = ref Unsafe.Add(ref states, index); // index < ring size = the array's length (TryIndex)
            if (state != Posted)
            {
                Stats.Drop(DropReason.BufferNotOwned); // a duplicate or forged completion: the buffer is not the device's
                continue;
            }
            state = Held;
            _posted--;
            if (prefetch && received != 0)
                Sse.Prefetch0(pool + offset); // the rest of the burst on its way: see Receiver, "Prefetch"
            Unsafe.Add(ref into, received++) = new Packet(offset, (int)length, region); // received <= i < packets.Length
        }
        entries = i;
        if (i == 0)
            return 0;
        _completions.Next += (uint)i;
        Stats.CountPackets(i, received, Bytes(packets[..received]), received);
        return received;
    }

    /// <inheritdoc />
    protected override void ReturnBurst(ReadOnlySpan<Packet> packets)
    {
        LeaveApplication(packets, Free, uint.MaxValue, "returned twice");
        var free = _free;
        foreach (var p in packets)
            free.Push(p.Offset);
        Stats.CountBuffers(0, -packets.Length);
        PostFree();
    }

    /// <summary>Moves every packet from the application (Held) to <paramref name="to"/>, validating all first: a packet
    /// that is not one this reader handed out and the application holds, or is longer than
    /// <paramref name="maxLength"/>, changes nothing and is thrown for.</summary>
    private void LeaveApplication(ReadOnlySpan<Packet> packets, byte to, uint maxLength, string already)
    {
        var buffers = _buffers;
        byte[] states = _states;
        ulong first = _first;
        int region = Side.Region.Id;
        for (int i = 0; i < packets.Length; i++)
        {
            Packet p = packets[i];
            if (p.Region != region || !buffers.TryIndex(p.Offset - first, out uint index) || states[index] != Held
                || (uint)p.Length > maxLength)
            {
                for (int j = 0; j < i; j++) // undo: the ones before are held again
                    states[buffers.IndexOf(packets[j].Offset - first)] = Held;
                throw (uint)p.Length > maxLength && p.Region == region
                    ? new ArgumentOutOfRangeException(nameof(packets), p.Length, $"a packet holds at most {maxLength} bytes")
                    : new InvalidOperationException($"{p} is not a received packet the application holds ({already}, or never received here)");
            }
            states[index] = to;
        }
    }

    /// <summary>
    /// Lends received <paramref name="packets"/> to this queue pair's writer, which sends them to the device in their
    /// own buffers (zero-copy forwarding). Each must be a packet this reader handed out and the application still
    /// holds, at most a buffer long; otherwise nothing changes and <see cref="InvalidOperationException"/> (or
    /// <see cref="ArgumentOutOfRangeException"/> for the length) is thrown. The buffers come home through
    /// <see cref="TakeHome"/> when the device completes them.
    /// </summary>
    public void Lend(ReadOnlySpan<Packet> packets)
    {
        // Called inside the writer's gate, on the reader's thread (the forwarding contract): no gate of this half's is
        // entered, so a reader misused from another thread cannot corrupt its count, and the mapping stays mapped
        // while the writer holds its own reference.
        LeaveApplication(packets, Forwarded, (uint)BufferSize, "forwarded or returned already");
        _forwarded += packets.Length;
        Stats.CountBuffers(0, -packets.Length);
    }

    /// <summary>Takes back a forwarded buffer the device completed on TX: it is free again, and posted with the next
    /// free buffers. False, changing nothing, when <paramref name="offset"/> names no buffer of this reader that is
    /// forwarded (the caller drops the completion).</summary>
    public bool TakeHome(ulong offset)
    {
        if (!_buffers.TryIndex(offset - _first, out uint index) || _states[index] != Forwarded)
            return false;
        _states[index] = Free;
        _free.Push(offset);
        _forwarded--;
        return true;
    }

    /// <inheritdoc />
    protected override DropReason? WhyBad(ulong offset, ulong control)
    {
        ulong relative = offset - _first;
        if (!_buffers.TryIndex(relative, out uint index))
            return BufferPool.WhyNot(relative, Side.Geometry.SideLength);
        if ((uint)control > (uint)BufferSize)
            return DropReason.LengthTooLarge;
        if ((control & Descriptor.EndOfPacketBit) == 0)
            return DropReason.MissingEndOfPacket;
        return _states[index] == Posted ? null : DropReason.BufferNotOwned;
    }

    /// <inheritdoc />
    protected override DropReason? Claim(ulong offset, ulong control, out uint index)
    {
        ulong relative = offset - _first;
        if (!_buffers.TryIndex(relative, out index))
            return BufferPool.WhyNot(relative, Side.Geometry.SideLength);
        if ((uint)control > (uint)BufferSize)
            return DropReason.LengthTooLarge;
        if (_states[index] != Posted)
            return DropReason.BufferNotOwned; // also a buffer named twice in one chain: the first claim made it Held
        _states[index] = Held;
        _posted--;
        return null;
    }

    /// <inheritdoc />
    protected override void Release(ulong offset, uint index)
    {
        // The device handed it over (or a claim is undone); it is posted again with the next free buffers.
        if (_states[index] == Posted)
            _posted--;
        _states[index] = Free;
        _free.Push(offset);
    }

    /// <inheritdoc />
    protected override void DropSegment(ulong offset, DropReason reason)
    {
        Stats.Drop(reason);
        // A buffer of ours that was with the device (a completion with a bad length or flags, or part of a bad
        // chain) is taken back, to be posted again, so nothing is lost. One not with the device stays where it is.
        if (_buffers.TryIndex(offset - _first, out uint index) && _states[index] == Posted)
            Release(offset, index);
    }
}
