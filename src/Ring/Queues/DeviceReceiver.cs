using Ring.Doorbells;
using Ring.Layout;
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
    private readonly ulong _poolLength;
    private readonly byte[] _states;   // per pool buffer: Free (the guest's) or Held (the application's)
    private readonly ulong[] _giveBack; // bad descriptors' buffers, completed at the end of the burst

    public DeviceReceiver(QueueSide side) : base(side, QueueControlLayout.TxEndOfStreamOffset, CountersLayout.DeviceReceiverOffset)
    {
        _tx = side.Ring(side.Offsets.Tx);
        _completions = side.Ring(side.Offsets.TxCompletion);
        _doorbell = side.PeerDoorbell(Stats.Doorbells, guest: false);
        _poolLength = side.Pool.Length;
        _states = new byte[side.Geometry.BufferCount];
        _giveBack = new ulong[side.Geometry.RingSize];
    }

    /// <summary>Reads, once the guest has declared its mode, whether it sleeps; and sets coalescing.</summary>
    public void ArmDoorbell(int coalesceFrames, TimeSpan coalesceTime)
    {
        _doorbell.Arm();
        _doorbell.Coalesce(coalesceFrames, coalesceTime);
    }

    /// <summary>Whether a coalesced doorbell is owed to the guest.</summary>
    public bool DoorbellOwed => _doorbell.Owed;

    /// <summary>Rings the guest now if it sleeps, whatever coalescing holds back.</summary>
    public void FlushDoorbell() => _doorbell.Flush();

    /// <summary>Rings a doorbell coalescing held back once its time is up.</summary>
    public void FlushDoorbellIfDue() => _doorbell.FlushIfDue();

    /// <inheritdoc />
    public override bool FirstReady() => new DescriptorReader(_tx).FirstReady();

    /// <inheritdoc />
    protected override int ReceiveBurst(Span<Packet> packets, out int entries)
    {
        var ring = new DescriptorReader(_tx);
        byte[] states = _states;
        ulong poolLength = _poolLength;
        uint bufferSize = (uint)BufferSize;
        var divider = Side.Pool.Divider;
        int region = Side.Region.Id;
        ulong bytes = 0;
        int received = 0, giveBack = 0, i = 0;
        // At most one lap per burst: an honest guest never has more entries ready, and a guest that rewrites entries
        // while they are read could otherwise hand over more bad buffers than _giveBack (one ring) holds.
        int max = Math.Min(packets.Length, _giveBack.Length);
        for (; i < max; i++)
        {
            if (!ring.TryRead(i, out ulong offset, out ulong control))
                break;
            // The copies are checked, then only they are used.
            if (offset >= poolLength | !divider.TryDivide(offset, out uint index))
            {
                Stats.Drop(offset >= poolLength ? DropReason.OffsetOutsidePool : DropReason.OffsetMisaligned);
                continue;
            }
            if (states[index] != Free)
            {
                Stats.Drop(DropReason.BufferNotOwned); // sent twice: the application holds it already
                continue;
            }
            uint length = Descriptor.Length(control);
            if (length > bufferSize | (Descriptor.Flags(control) & DescriptorFlags.EndOfPacket) == 0)
            {
                Stats.Drop(length > bufferSize ? DropReason.LengthTooLarge : DropReason.MissingEndOfPacket);
                states[index] = Posted; // until given back below: a second descriptor for it in this burst is a duplicate
                _giveBack[giveBack++] = offset;
                continue;
            }
            states[index] = Held;
            packets[received++] = new Packet(offset, (int)length, region);
            bytes += length;
        }
        entries = i;
        if (i == 0)
            return 0;
        _tx.Next += (uint)i;
        Stats.PacketEntries += (ulong)i;
        Stats.Packets += (ulong)received;
        Stats.Bytes += bytes;
        Stats.Held += (ulong)received;
        if (giveBack != 0)
            Complete(_giveBack.AsSpan(0, giveBack));
        return received;
    }

    /// <inheritdoc />
    protected override void ReturnBurst(ReadOnlySpan<Packet> packets)
    {
        var divider = Side.Pool.Divider;
        int region = Side.Region.Id;
        for (int i = 0; i < packets.Length; i++)
        {
            Packet p = packets[i];
            if (p.Region != region || !divider.TryDivide(p.Offset, out uint index) || _states[index] != Held)
            {
                for (int j = 0; j < i; j++)
                {
                    divider.TryDivide(packets[j].Offset, out uint undo);
                    _states[undo] = Held;
                }
                throw new InvalidOperationException($"{p} is not a received packet the application holds (returned twice, or never received here)");
            }
            _states[index] = Free;
        }
        var ring = new BufferWriter(_completions);
        for (int i = packets.Length - 1; i >= 0; i--) // back to front: the entry the guest polls is stored last
            ring.Write(i, packets[i].Offset);
        Published(packets.Length);
        Stats.Held -= (ulong)packets.Length;
    }

    /// <summary>Completes the buffers of dropped descriptors (each marked Posted) on the TX completion ring.</summary>
    private void Complete(ReadOnlySpan<ulong> offsets)
    {
        var ring = new BufferWriter(_completions);
        var divider = Side.Pool.Divider;
        for (int i = offsets.Length - 1; i >= 0; i--)
        {
            divider.TryDivide(offsets[i], out uint index);
            _states[index] = Free;
            ring.Write(i, offsets[i]);
        }
        Published(offsets.Length);
    }

    private void Published(int count)
    {
        _completions.Next += (uint)count;
        Stats.BufferEntries += (ulong)count;
        _doorbell.Published(count);
    }
}
