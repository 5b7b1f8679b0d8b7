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
/// The device's reader (TX, guest to device): receives the guest's TX descriptors and gives the buffers back on
/// the TX completion ring.
/// </summary>
/// <remarks>
/// Design: every descriptor is copied out once and checked. One whose offset names no buffer is dropped: there is
/// nothing to give back. One with a bad length or flags is dropped too, but its buffer is completed at once, so
/// the guest loses nothing. One naming a buffer the application already holds (posted twice) is dropped and not
/// completed again. Not thread-safe: one thread at a time.
/// </remarks>
internal sealed unsafe class DeviceReceiver : Receiver
{
    private readonly RingPosition _tx;
    private readonly RingPosition _completions;
    private readonly Doorbell _doorbell;
    private readonly BufferIndexer _buffers;
    private readonly byte[] _states;    // per pool buffer: Free (the guest's), Held (the application's), Posted (to give back)
    private readonly ulong[] _giveBack; // bad descriptors' buffers, completed at the end of the burst
    private int _giveBackCount;

    public DeviceReceiver(QueueSide side) : base(side, QueueControlLayout.TxEndOfStreamOffset, CountersLayout.DeviceReceiverOffset)
    {
        _tx = side.Ring(side.Offsets.Tx);
        _completions = side.Ring(side.Offsets.TxCompletion);
        _doorbell = side.PeerDoorbell(Stats, guest: false);
        _buffers = new BufferIndexer(side.Geometry.BufferStride, side.Geometry.BufferCount);
        _states = new byte[side.Geometry.BufferCount];
        _giveBack = new ulong[2 * side.Geometry.RingSize]; // a burst reads at most a ring's worth, plus a chain across the wrap
    }

    /// <summary>Reads, once the guest has declared its mode, whether it sleeps; and sets coalescing.</summary>
    public void ArmDoorbell(int coalesceFrames, TimeSpan coalesceTime)
    {
        _doorbell.Arm();
        _doorbell.Coalesce(coalesceFrames, coalesceTime);
    }

    /// <summary>Whether a coalesced doorbell is owed to the guest.</summary>
    public bool DoorbellOwed => _doorbell.Owed;

    /// <summary>Rings a doorbell coalescing held back once its time is up.</summary>
    public void FlushDoorbellIfDue() => _doorbell.FlushIfDue();

    /// <inheritdoc />
    public override bool FirstReady() => new DescriptorReader(_tx).FirstReady();

    /// <inheritdoc />
    /// <remarks>A device is not reset: it attaches again, with new halves.</remarks>
    protected override void ResetRings() => throw new InvalidOperationException("a device's queue pairs are not reset: attach again");

    /// <inheritdoc />
    protected override int ReceiveBurst(Span<Packet> packets, out int entries)
    {
        var ring = new DescriptorReader(_tx);
        int limit = ring.Limit(packets.Length);
        var buffers = _buffers;
        ref byte states = ref MemoryMarshal.GetArrayDataReference(_states);
        ref Packet into = ref MemoryMarshal.GetReference(packets);
        uint bufferSize = (uint)BufferSize;
        int region = Side.Region.Id;
        byte* pool = PoolBase;
        int received = 0, i = 0;
        for (; i < limit; i++)
        {
            if (!ring.TryRead(i, out ulong offset, out ulong control))
                break;
            // The copies are checked, then only they are used.
            uint length = (uint)control;
            if (!buffers.TryIndex(offset, out uint index) | length > bufferSize | (control & Descriptor.EndOfPacketBit) == 0
                || Unsafe.Add(ref states, index) != Free) // index < buffer count = the array's length (TryIndex)
            {
                int taken = Irregular(_tx, i, offset, control, packets, ref received); // a chain, or a drop
                if (taken == 0)
                    break;
                i += taken - 1;
                continue;
            }
            Unsafe.Add(ref states, index) = Held;
            if (Sse.IsSupported && received != 0)
                Sse.Prefetch0(pool + offset); // the rest of the burst on its way: see Receiver, "Prefetch"
            Unsafe.Add(ref into, received++) = new Packet(offset, (int)length, region); // received <= i < packets.Length
        }
        entries = i;
        if (i == 0)
            return 0;
        _tx.Next += (uint)i;
        Stats.CountPackets(i, received, Bytes(packets[..received]), received);
        if (_giveBackCount != 0)
            GiveBack();
        return received;
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
            if (p.Region != region || !buffers.TryIndex(p.Offset, out uint index) || states[index] != Held)
            {
                for (int j = 0; j < i; j++)
                    states[buffers.IndexOf(packets[j].Offset)] = Held;
                throw new InvalidOperationException($"{p} is not a received packet the application holds (returned twice, or never received here)");
            }
            states[index] = Free;
        }
        var ring = new BufferWriter(_completions);
        for (int i = packets.Length - 1; i >= 0; i--) // back to front: the entry the guest polls is stored last
            ring.Write(i, packets[i].Offset);
        Published(packets.Length, -packets.Length);
    }

    /// <inheritdoc />
    protected override DropReason? WhyBad(ulong offset, ulong control)
    {
        if (!_buffers.TryIndex(offset, out uint index))
            return BufferPool.WhyNot(offset, Side.Pool.Length);
        if (_states[index] != Free)
            return DropReason.BufferNotOwned;
        if ((uint)control > (uint)BufferSize)
            return DropReason.LengthTooLarge;
        return (control & Descriptor.EndOfPacketBit) == 0 ? DropReason.MissingEndOfPacket : null;
    }

    /// <inheritdoc />
    protected override DropReason? Claim(ulong offset, ulong control, out uint index)
    {
        if (!_buffers.TryIndex(offset, out index))
            return BufferPool.WhyNot(offset, Side.Pool.Length);
        if (_states[index] != Free)
            return DropReason.BufferNotOwned; // also a buffer named twice in one chain: the first claim made it Held
        if ((uint)control > (uint)BufferSize)
            return DropReason.LengthTooLarge;
        _states[index] = Held;
        return null;
    }

    /// <inheritdoc />
    protected override void Release(ulong offset, uint index)
    {
        _states[index] = Posted; // until given back: another descriptor for it in this burst is a duplicate
        _giveBack[_giveBackCount++] = offset;
    }

    /// <inheritdoc />
    protected override void DropSegment(ulong offset, DropReason reason)
    {
        Stats.Drop(reason);
        // A buffer the guest handed over is completed back, so it loses nothing; one this side holds already (sent
        // twice) or one that names no buffer is not.
        if (_buffers.TryIndex(offset, out uint index) && _states[index] == Free)
            Release(offset, index);
    }

    /// <summary>Completes the buffers of dropped descriptors (each marked Posted) on the TX completion ring.</summary>
    private void GiveBack()
    {
        var offsets = _giveBack.AsSpan(0, _giveBackCount);
        var ring = new BufferWriter(_completions);
        for (int i = offsets.Length - 1; i >= 0; i--)
        {
            _states[_buffers.IndexOf(offsets[i])] = Free;
            ring.Write(i, offsets[i]);
        }
        Published(offsets.Length, 0);
        _giveBackCount = 0;
    }

    private void Published(int count, int heldChange)
    {
        _completions.Next += (uint)count;
        Stats.CountBuffers(count, heldChange);
        _doorbell.Published(count);
    }
}
