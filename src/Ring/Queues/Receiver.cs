using System.Runtime.CompilerServices;
using Ring.Async;
using Ring.Layout;
using Ring.Memory;
using Ring.Rings;
using Ring.Waiting;

namespace Ring.Queues;

/// <summary>
/// What the guest's and the device's readers share: the call gate, the end of the peer's stream, the completion,
/// the asynchronous wait, and what to do when a receive finds nothing. Each subclass has its own hot
/// <see cref="ReceiveBurst"/>.
/// </summary>
/// <remarks>
/// End of stream: the peer stores its total with release after its last entry (R3). A receive reads the mark with
/// acquire (A3) <em>before</em> it looks at the ring; if the mark was there and the ring then had nothing, nothing
/// more can come, whatever total the peer claims, so the stream is over.
/// <para>Prefetch: each packet's first line was written by the peer's core, so the application's first read of it
/// misses, and at saturation those misses decide the rate. A receive that takes a burst prefetches the first line of
/// every packet after the first (x86 <c>prefetcht0</c>, as DPDK's receive functions prefetch each mbuf's data), so
/// the misses overlap one another instead of waiting, one by one, for the application's loop to reach them. The
/// first packet is left alone: the application reads it at once, and a burst of one (a ping) would only pull a
/// line its reader may never read across for nothing. The guest does not prefetch while the application forwards
/// (buffers it sent on through <see cref="QueuePair.Forward"/> are still out on the TX ring): a forwarder may send a packet
/// on untouched, and a line it pulled would cost the device a transfer back when it reads or rewrites the buffer
/// (io forwarding at saturation ran 17.1-17.9-19.3 Mpps with the prefetch, 16.6-21.9-25.5 without).</para>
/// </remarks>
internal abstract unsafe class Receiver : PacketReader
{
    private readonly ulong* _peerEndOfStream;
    private TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WaitSlot _slot;
    private readonly PeerCheckClock _peerClock = new();
    private readonly (ulong Offset, ulong Control)[] _chainCopies;
    private readonly uint[] _chainIndices;

    private protected Receiver(QueueSide side, int endOfStreamOffset, int countersOffset)
        : base(side.Region.Base + side.Geometry.PoolOffset, side.Geometry.BufferSize, side.Region.Id, side.MaxChainLength)
    {
        Side = side;
        _peerEndOfStream = (ulong*)(side.Control + endOfStreamOffset);
        Stats = new HalfCounters(side.Counters + countersOffset);
        _slot = new WaitSlot(Probe, "WaitToReceiveAsync");
        side.AddSlot(_slot);
        _chainCopies = new (ulong, ulong)[side.MaxChainLength];
        _chainIndices = new uint[side.MaxChainLength];
        side.Region.AddRef();
    }

    /// <summary>The queue side this half belongs to.</summary>
    protected QueueSide Side { get; }

    /// <summary>This half's counters in the region.</summary>
    protected HalfCounters Stats { get; }

    /// <summary>Guards every call against a concurrent close.</summary>
    protected CallGate Gate { get; } = new();

    /// <inheritdoc />
    public override Task Completion => _completion.Task;

    /// <inheritdoc />
    public override PacketCounters Counters
    {
        get
        {
            Gate.EnterShared(this);
            try
            {
                return Stats.Snapshot();
            }
            finally
            {
                Gate.ExitShared();
            }
        }
    }

    /// <inheritdoc />
    public override long? PeerTotal
    {
        get
        {
            Gate.EnterShared(this);
            try
            {
                ulong word = Volatile.Read(ref *_peerEndOfStream); // A3
                return (word & QueueControlLayout.EndOfStreamFlag) != 0 ? (long)(word & ~QueueControlLayout.EndOfStreamFlag) : null;
            }
            finally
            {
                Gate.ExitShared();
            }
        }
    }

    /// <summary>Whether the stream is over (completed or failed).</summary>
    public bool IsCompleted => _completion.Task.IsCompleted;

    /// <inheritdoc />
    public override int TryReceive(Span<Packet> packets)
    {
        Gate.Enter(this);
        try
        {
            if (IsCompleted)
                return 0;
            bool endMarked = EndMarked(); // A3, before the ring: see the remarks
            if (!FirstReady())
            {
                // An idle poll: out before the burst loop's set-up, so a poll loop turns, and notices work, sooner.
                if (!packets.IsEmpty)
                    ReceivedNothing(endMarked);
                return 0;
            }
            int received = ReceiveBurst(packets, out int entries);
            if (entries == 0 && !packets.IsEmpty)
                ReceivedNothing(endMarked);
            return received;
        }
        finally
        {
            Gate.Exit();
        }
    }

    /// <inheritdoc />
    public override void Return(ReadOnlySpan<Packet> packets)
    {
        Gate.Enter(this);
        try
        {
            ReturnBurst(packets);
        }
        finally
        {
            Gate.Exit();
        }
    }

    /// <inheritdoc />
    public override ValueTask<bool> WaitToReceiveAsync(CancellationToken cancellationToken = default)
    {
        AsyncWaiter waiter;
        Gate.Enter(this);
        try
        {
            if (cancellationToken.IsCancellationRequested)
                return ValueTask.FromCanceled<bool>(cancellationToken);
            if (Probe() is bool answer)
                return new ValueTask<bool>(answer);
            waiter = Side.Waiter(); // inside the gate: see QueueSide.Waiter
        }
        catch (Exception e) when (e is RingException or InvalidOperationException)
        {
            return ValueTask.FromException<bool>(e);
        }
        finally
        {
            Gate.Exit();
        }
        return waiter.WaitAsync(_slot, cancellationToken);
    }

    /// <summary>Receives one burst into <paramref name="packets"/>; <paramref name="entries"/> is how many ring
    /// entries it consumed, good or dropped. The hot path.</summary>
    protected abstract int ReceiveBurst(Span<Packet> packets, out int entries);

    /// <summary>Gives packets back to the peer (validated first, so a bad one changes nothing).</summary>
    protected abstract void ReturnBurst(ReadOnlySpan<Packet> packets);

    /// <summary>
    /// Handles entry <paramref name="i"/> of a burst (<paramref name="offset"/>, <paramref name="control"/> copied
    /// out once) that the fast path could not take: the first packet of a chained frame, or a bad descriptor, which
    /// is dropped. Returns how many entries it consumed; 0 means stop the burst before this entry (a chain not yet
    /// published in full, or one that does not fit in what is left of <paramref name="packets"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    protected int Irregular(RingPosition ring, int i, ulong offset, ulong control, Span<Packet> packets, ref int received)
    {
        if ((control & Descriptor.EndOfPacketBit) == 0 && Side.ChainsNegotiated && WhyBad(offset, control | Descriptor.EndOfPacketBit) is null)
            return ReceiveChain(ring, i, packets, ref received);
        DropSegment(offset, WhyBad(offset, control) ?? DropReason.BufferNotOwned);
        return 1;
    }

    /// <summary>
    /// Receives the chained frame starting at entry <paramref name="start"/>: copies each of its entries out once,
    /// up to the one with END_OF_PACKET, then claims them all or drops them all. A chain longer than
    /// <see cref="PacketReader.MaxChainLength"/> is dropped (ChainTooLong); one the peer's end of stream cut short is
    /// dropped (ChainUnterminated); one with a bad packet is dropped whole, its good packets' buffers going back to
    /// where they came from (ChainBroken).
    /// </summary>
    private int ReceiveChain(RingPosition ring, int start, Span<Packet> packets, ref int received)
    {
        bool endMarked = EndMarked(); // A3, before the entries: a mark seen here covers every entry it can find
        var copies = _chainCopies;
        int n = 0;
        bool complete = false;
        while (n < copies.Length)
        {
            if (!DescriptorPeek.TryRead(ring, start + n, out ulong offset, out ulong control))
                break;
            copies[n++] = (offset, control);
            if ((control & Descriptor.EndOfPacketBit) != 0)
            {
                complete = true;
                break;
            }
        }
        if (!complete)
        {
            if (n == copies.Length)
                return DropChain(copies.AsSpan(0, n), DropReason.ChainTooLong);
            if (endMarked)
                return DropChain(copies.AsSpan(0, n), DropReason.ChainUnterminated);
            return 0; // the rest of the frame is not published yet
        }
        if (received + n > packets.Length)
        {
            if (received == 0)
                throw new ArgumentException($"a frame of {n} packets does not fit in a span of {packets.Length}: pass at least MaxChainLength ({MaxChainLength})", nameof(packets));
            return 0; // next burst
        }
        var indices = _chainIndices;
        for (int k = 0; k < n; k++)
        {
            if (Claim(copies[k].Offset, copies[k].Control, out indices[k]) is not { } reason)
                continue;
            for (int j = 0; j < k; j++)
            {
                Release(copies[j].Offset, indices[j]);
                Stats.Drop(DropReason.ChainBroken);
            }
            DropSegment(copies[k].Offset, reason);
            DropChain(copies.AsSpan(k + 1, n - k - 1), DropReason.ChainBroken);
            return n;
        }
        int region = Side.Region.Id;
        for (int k = 0; k < n; k++)
            packets[received++] = new Packet(copies[k].Offset, (int)(uint)copies[k].Control, k < n - 1 ? region | Packet.ContinuationFlag : region);
        return n;
    }

    private int DropChain(ReadOnlySpan<(ulong Offset, ulong Control)> segments, DropReason reason)
    {
        foreach (var segment in segments)
            DropSegment(segment.Offset, reason);
        return segments.Length;
    }

    /// <summary>Why a single descriptor the fast path refused is bad (offset, length, END_OF_PACKET, ownership), or null
    /// when only its missing END_OF_PACKET kept it from the fast path.</summary>
    protected abstract DropReason? WhyBad(ulong offset, ulong control);

    /// <summary>Checks one packet of a chain (its offset, its length, that the buffer is the peer's to hand over) and
    /// claims it for the application; the reason when it is bad (then nothing is claimed).</summary>
    protected abstract DropReason? Claim(ulong offset, ulong control, out uint index);

    /// <summary>Undoes <see cref="Claim"/> for a chain dropped whole: the buffer goes back where it came from.</summary>
    protected abstract void Release(ulong offset, uint index);

    /// <summary>Counts a dropped entry for <paramref name="reason"/>; a buffer of this direction that the peer handed
    /// over with it goes back where it came from, so nothing is lost.</summary>
    protected abstract void DropSegment(ulong offset, DropReason reason);

    /// <summary>The bytes of <paramref name="packets"/>, for the counters: a second pass over a burst in L1 keeps
    /// one more value out of the receive loop's registers.</summary>
    protected static ulong Bytes(ReadOnlySpan<Packet> packets)
    {
        ulong bytes = 0;
        foreach (var p in packets)
            bytes += (uint)p.Length;
        return bytes;
    }

    /// <summary>Whether the next packet entry is ready (one acquire load).</summary>
    public abstract bool FirstReady();

    /// <summary>Whether the application holds every buffer this direction has, so nothing can arrive.</summary>
    protected virtual bool HoldsEveryBuffer => false;

    /// <summary>Work a receive that found nothing may still do (the guest posts buffers it took back).</summary>
    protected virtual void WhenIdle()
    {
    }

    /// <summary>Whether <see cref="WhenIdle"/> has something to do that only the peer's progress made possible (a
    /// guest's forwarded buffers completed while every RX buffer was out): work for the sleeper's re-check.</summary>
    protected virtual bool IdleWorkReady => false;

    /// <summary>
    /// The sleeper's re-check for this half, on the thread that holds it: an entry to receive, or the end of the
    /// stream, noticed here (the reader completes), so an application that never receives in this direction is not
    /// kept awake by an end of stream nobody acts on.
    /// </summary>
    public bool HasWork()
    {
        if (IsCompleted)
            return false;
        bool endMarked = EndMarked();
        if (FirstReady() || IdleWorkReady)
            return true;
        if (!endMarked)
            return false;
        _completion.TrySetResult();
        return true;
    }

    /// <summary>
    /// Starts a new session after the device was reset (the caller holds the half: no call runs): the stream starts
    /// over (a new <see cref="Completion"/>), the ring is read from its first entry again, and the half's own state
    /// is reset by <see cref="ResetRings"/>.
    /// </summary>
    public void Reset()
    {
        _completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ResetRings();
    }

    /// <summary>Takes back what was with the device and reads and writes the rings from their first entries again.</summary>
    protected abstract void ResetRings();

    /// <summary>Writes the held gauge back into a counter block a reset cleared.</summary>
    public void RestoreHeld(ulong held) => Stats.Restart(held);

    /// <summary>Closes the half: waits for a running call to leave, fails pending waits, releases the mapping.</summary>
    public void Close()
    {
        if (!Gate.Close())
            return;
        _completion.TrySetException(new ObjectDisposedException(nameof(PacketReader)));
        _ = _completion.Task.Exception; // observed: a reader nobody awaits must not crash the finalizer thread
        Detach();
        Side.Region.Release();
    }

    private bool EndMarked() => (Volatile.Read(ref *_peerEndOfStream) & QueueControlLayout.EndOfStreamFlag) != 0; // A3

    /// <summary>
    /// The wait's answer on the thread that holds the half: true when an entry is ready, false once the stream is
    /// over, null when nothing is there yet. Throws when the stream failed, and when the application holds every
    /// buffer (a wait could never end).
    /// </summary>
    private bool? Probe()
    {
        if (IsCompleted)
            return _completion.Task.IsCompletedSuccessfully ? false : throw _completion.Task.Exception!.InnerException!;
        bool endMarked = EndMarked();
        if (FirstReady())
            return true;
        ReceivedNothing(endMarked);
        if (IsCompleted)
            return Probe();
        if (HoldsEveryBuffer)
        {
            Stats.CountStarved();
            throw new InvalidOperationException(
                $"the application holds all {Side.Geometry.BuffersPerRing} buffers of queue {Side.Index}: nothing can arrive until it returns some");
        }
        return null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReceivedNothing(bool endMarked)
    {
        if (endMarked)
        {
            _completion.TrySetResult();
            return;
        }
        WhenIdle();
        var peer = Side.Peer.State;
        if (peer == PeerState.Running && _peerClock.Due())
            peer = Side.Peer.Refresh();
        if (peer != PeerState.Running && !FirstReady() && !EndMarked())
        {
            _completion.TrySetException(Side.Peer.Describe());
            _ = _completion.Task.Exception;
        }
    }
}
