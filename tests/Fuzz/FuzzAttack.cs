using System.Diagnostics;
using Ring.Doorbells;
using Ring.Harness.Traffic;
using Ring.Layout;
using Ring.Tests.Support;

namespace Ring.Tests.Fuzz;

/// <summary>
/// A fuzzing peer: one side of a region, played from this process through a <see cref="HostilePeer"/> mapping against
/// a real program on the other side. It follows a <see cref="FuzzSchedule"/>, interleaving honest packets (a
/// subclass's part: the device's or the guest's) with hostile writes into the header, the control words, the counters
/// and the rings (this class), and serves the victim's rings after every step so traffic flows between them. It counts
/// what it put on its packet ring that the victim could take for a packet, so a test can bound what the victim reports.
/// </summary>
internal abstract unsafe class FuzzAttack : IDisposable
{
    /// <summary>How long an ending that drains serves a victim that has not exited yet.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(3);

    /// <summary>Writes the honest packets: the sequence number and stamp, then what the victim's --verify checks.</summary>
    private readonly PacketStamper _stamper;
    private readonly ulong[] _sequence;
    private readonly Doorbell[] _doorbells;
    private readonly int _endOfStream;

    /// <summary>A peer on <paramref name="peer"/>'s mapping, playing the device when <paramref name="asDevice"/>, else the guest.</summary>
    protected FuzzAttack(HostilePeer peer, FuzzSettings settings, bool asDevice)
    {
        Peer = peer;
        Settings = settings;
        _stamper = new(settings.PacketSize, settings.FullVerify ? Verification.Full : Verification.Sequence);
        _sequence = new ulong[settings.Queues];
        (PacketArea, BufferArea, _endOfStream) = asDevice
            ? (FuzzArea.RxCompletion, FuzzArea.TxCompletion, QueueControlLayout.RxEndOfStreamOffset)
            : (FuzzArea.Tx, FuzzArea.Fill, QueueControlLayout.TxEndOfStreamOffset);
        _doorbells = [.. Enumerable.Range(0, settings.Queues).Select(q => asDevice
            ? VictimDoorbell(q, QueueControlLayout.GuestDoorbellOffset, QueueControlLayout.GuestNeedsWakeupOffset,
                QueueControlLayout.GuestMaySleepOffset, CountersLayout.DeviceSenderOffset)
            : VictimDoorbell(q, QueueControlLayout.DeviceDoorbellOffset, QueueControlLayout.DeviceNeedsWakeupOffset,
                QueueControlLayout.DeviceMaySleepOffset, CountersLayout.GuestSenderOffset))];
    }

    protected HostilePeer Peer { get; }

    protected FuzzSettings Settings { get; }

    /// <summary>Honest packets this peer published on its packet ring, all queues.</summary>
    public long Published { get; private set; }

    /// <summary>Entries of its packet ring this peer forged, flipped or scribbled on: each may look like one more packet.</summary>
    public long Forged { get; private set; }

    /// <summary>The most packets the victim may say it received: it can take no other entry for one.</summary>
    public long MostTheVictimCanReceive => Published + Forged;

    /// <summary>The ring this peer publishes packets on: RX completion (device) or TX (guest).</summary>
    private FuzzArea PacketArea { get; }

    /// <summary>The ring this peer hands buffers back on: TX completion (device) or RX fill (guest).</summary>
    private FuzzArea BufferArea { get; }

    /// <summary>Publishes up to <paramref name="count"/> honest packets on queue <paramref name="q"/>.</summary>
    protected abstract void Send(int q, int count);

    /// <summary>Takes what the victim published and gives back what it is owed, every queue.</summary>
    protected abstract void Serve();

    /// <summary>Marks the end of this peer's stream on every queue: every entry of its packet ring counts.</summary>
    private void MarkEndOfStream()
    {
        for (int q = 0; q < Settings.Queues; q++)
        {
            var rings = Peer.Queue(q);
            Volatile.Write(ref rings.Word64(_endOfStream), QueueControlLayout.EndOfStreamFlag | RingOf(PacketArea, q).Next);
            _doorbells[q].Flush();
        }
    }

    /// <summary>Runs <paramref name="schedule"/>'s steps and its ending; <paramref name="victimExited"/> cuts a drain short.</summary>
    public void Run(FuzzSchedule schedule, Func<bool> victimExited)
    {
        foreach (var op in schedule.Ops)
        {
            Apply(op);
            Serve();
        }
        if (schedule.Ending == FuzzEnding.Die)
            return;
        MarkEndOfStream();
        if (schedule.Ending != FuzzEnding.EndStreamAndDrain)
            return;
        var clock = Stopwatch.StartNew();
        while (!victimExited() && clock.Elapsed < DrainLimit)
        {
            Serve();
            Thread.Sleep(1);
        }
    }

    private void Apply(FuzzOp op)
    {
        switch (op)
        {
            case SendOp send:
                Send(QueueOf(send.Queue), send.Count);
                break;
            case PauseOp pause:
                Thread.Sleep(pause.Milliseconds);
                break;
            case ScribbleOp scribble:
                Scribble(scribble);
                break;
            case StoreOp store:
                Store(store);
                break;
            case FlipGenerationOp flip:
                Flip(flip);
                break;
            case ForgeOp forge:
                Forge(forge);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "a step this peer does not know");
        }
    }

    protected int QueueOf(int q) => q % Settings.Queues;

    /// <summary>The first byte of <paramref name="area"/> of queue <paramref name="q"/> in this mapping, and its length.</summary>
    private byte* Start(FuzzArea area, int q, out int length)
    {
        var rings = Peer.Queue(q);
        if (area is FuzzArea.Header)
        {
            length = RegionLayout.HeaderLength;
            return Peer.Region.Base;
        }
        if (area is FuzzArea.Control)
        {
            length = QueueControlLayout.Length;
            return rings.Control;
        }
        if (area is FuzzArea.Counters)
        {
            length = CountersLayout.Length;
            return rings.Counters;
        }
        var ring = RingOf(area, q);
        length = ring.Length;
        return ring.Entries;
    }

    protected RawRing RingOf(FuzzArea area, int q)
    {
        var rings = Peer.Queue(q);
        return area switch
        {
            FuzzArea.Fill => rings.Fill,
            FuzzArea.RxCompletion => rings.RxCompletion,
            FuzzArea.Tx => rings.Tx,
            FuzzArea.TxCompletion => rings.TxCompletion,
            _ => throw new ArgumentOutOfRangeException(nameof(area), area, "not a ring"),
        };
    }

    private void Scribble(ScribbleOp op)
    {
        int q = QueueOf(op.Queue);
        byte* start = Start(op.Area, q, out int length);
        int offset = op.Offset % length;
        int count = Math.Min(op.Bytes.Length, length - offset);
        op.Bytes.AsSpan(0, count).CopyTo(new Span<byte>(start + offset, count));
        if (op.Area == PacketArea)
        {
            int entry = DescriptorLayout.Length;
            Forged += (offset + count - 1) / entry - offset / entry + 1;
        }
    }

    private void Store(StoreOp op)
    {
        byte* field = Start(op.Area, QueueOf(op.Queue), out _) + op.Offset;
        if (op.Size == sizeof(uint))
            Volatile.Write(ref *(uint*)field, (uint)op.Value);
        else
            Volatile.Write(ref *(ulong*)field, op.Value);
    }

    private void Flip(FlipGenerationOp op)
    {
        var ring = RingOf(op.Ring, QueueOf(op.Queue));
        byte* slot = ring.Slot((uint)op.Slot);
        if (ring.EntryLength == DescriptorLayout.Length)
            *(ushort*)(slot + DescriptorLayout.FlagsOffset) ^= (ushort)DescriptorFlags.Generation;
        else
            *(ulong*)slot ^= DescriptorLayout.BufferEntryGeneration;
        if (op.Ring == PacketArea)
            Forged++;
    }

    private void Forge(ForgeOp op)
    {
        int q = QueueOf(op.Queue);
        var area = op.PacketRing ? PacketArea : BufferArea;
        var ring = RingOf(area, q);
        uint n = ring.Next + (uint)op.Ahead;
        ulong offset = ForgedOffset(op, q, carriesRx: area is FuzzArea.RxCompletion or FuzzArea.Fill);
        if (op.PacketRing)
        {
            ring.WriteDescriptor(n, new RawDescriptor(offset, ForgedLength(op), (DescriptorFlags)op.Flags), op.Ready);
            Forged++;
        }
        else
        {
            ring.WriteBuffer(n, offset, op.Ready);
        }
        if (op.Advance && op.Ahead == 0)
            ring.Next++;
    }

    private ulong ForgedOffset(ForgeOp op, int q, bool carriesRx)
    {
        var g = Peer.Geometry;
        ulong stride = (ulong)g.BufferStride;
        ulong buffer = (ulong)(op.Buffer % g.BuffersPerRing) * stride;
        return op.Offset switch
        {
            Fuzz.ForgedOffset.OwnBuffer => (carriesRx ? g.RxFirst(q) : g.TxFirst(q)) + buffer,
            Fuzz.ForgedOffset.Misaligned => (carriesRx ? g.RxFirst(q) : g.TxFirst(q)) + buffer + 1 + op.Noise % (stride - 1),
            Fuzz.ForgedOffset.OtherDirection => (carriesRx ? g.TxFirst(q) : g.RxFirst(q)) + buffer,
            Fuzz.ForgedOffset.OtherQueue => (carriesRx ? g.RxFirst(q + 1) : g.TxFirst(q + 1)) + buffer,
            Fuzz.ForgedOffset.PoolEnd => (ulong)g.PoolLength,
            _ => op.Noise,
        };
    }

    private uint ForgedLength(ForgeOp op) => op.Length switch
    {
        Fuzz.ForgedLength.Small => (uint)Math.Min(16 + (int)(op.Noise % 48), Settings.BufferSize),
        Fuzz.ForgedLength.Zero => 0,
        Fuzz.ForgedLength.Full => (uint)Settings.BufferSize,
        Fuzz.ForgedLength.OneTooMany => (uint)Settings.BufferSize + 1,
        _ => (uint)op.Noise,
    };

    /// <summary>Writes queue <paramref name="q"/>'s next honest packet into the buffer at pool offset
    /// <paramref name="offset"/> and publishes it, when a whole packet fits there (an offset read back from a ring this
    /// peer scribbled on may not).</summary>
    protected bool TryPublish(int q, ulong offset)
    {
        if (offset > (ulong)Peer.Geometry.PoolLength - (ulong)Settings.PacketSize)
            return false;
        _stamper.Write(Peer.PoolBytes(offset, Settings.PacketSize), _sequence[q]++, Stopwatch.GetTimestamp());
        RingOf(PacketArea, q).PostDescriptors(RawDescriptor.Packet(offset, (uint)Settings.PacketSize));
        Published++;
        return true;
    }

    /// <summary>After this peer published <paramref name="entries"/> entries on queue <paramref name="q"/>'s rings:
    /// rings the victim's doorbell if it sleeps.</summary>
    protected void RingVictim(int q, int entries) => _doorbells[q].Published(entries);

    /// <summary>The waker's end of the victim's doorbell on queue <paramref name="q"/>, counting its rings in this
    /// peer's own counter block <paramref name="counters"/> (<see cref="CountersLayout"/>); armed, as the victim said
    /// in the handshake whether it sleeps.</summary>
    private Doorbell VictimDoorbell(int q, int doorbell, int needsWakeup, int maySleep, int counters)
    {
        var rings = Peer.Queue(q);
        var rung = (ulong*)(rings.Counters + counters + HalfCountersLayout.DoorbellsOffset);
        var bell = new Doorbell(
            (uint*)(rings.Control + doorbell), (uint*)(rings.Control + needsWakeup), (uint*)(rings.Control + maySleep), rung, rung);
        bell.Arm();
        return bell;
    }

    /// <inheritdoc />
    public void Dispose() => Peer.Dispose();
}
