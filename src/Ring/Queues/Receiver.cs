using System.Runtime.CompilerServices;
using Ring.Async;
using Ring.Layout;
using Ring.Memory;
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
/// </remarks>
internal abstract unsafe class Receiver : PacketReader
{
    private readonly ulong* _peerEndOfStream;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WaitSlot _slot;
    private readonly PeerCheckClock _peerClock = new();

    private protected Receiver(QueueSide side, int endOfStreamOffset, int countersOffset)
        : base(side.Region.Base + side.Geometry.PoolOffset, side.Geometry.BufferSize, side.Region.Id)
    {
        Side = side;
        _peerEndOfStream = (ulong*)(side.Control + endOfStreamOffset);
        Stats = new HalfCounters(side.Counters + countersOffset);
        _slot = new WaitSlot(Probe, "WaitToReceiveAsync");
        side.AddSlot(_slot);
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
            Gate.Enter(this);
            try
            {
                return Stats.Snapshot();
            }
            finally
            {
                Gate.Exit();
            }
        }
    }

    /// <inheritdoc />
    public override long? PeerTotal
    {
        get
        {
            ulong word = Volatile.Read(ref *_peerEndOfStream); // A3
            return (word & QueueControlLayout.EndOfStreamFlag) != 0 ? (long)(word & ~QueueControlLayout.EndOfStreamFlag) : null;
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
        Gate.Enter(this);
        try
        {
            if (cancellationToken.IsCancellationRequested)
                return ValueTask.FromCanceled<bool>(cancellationToken);
            if (Probe() is bool answer)
                return new ValueTask<bool>(answer);
        }
        catch (Exception e) when (e is RingException or InvalidOperationException)
        {
            return ValueTask.FromException<bool>(e);
        }
        finally
        {
            Gate.Exit();
        }
        return Side.Waiter().WaitAsync(_slot, cancellationToken);
    }

    /// <summary>Receives one burst into <paramref name="packets"/>; <paramref name="entries"/> is how many ring
    /// entries it consumed, good or dropped. The hot path.</summary>
    protected abstract int ReceiveBurst(Span<Packet> packets, out int entries);

    /// <summary>Gives packets back to the peer (validated first, so a bad one changes nothing).</summary>
    protected abstract void ReturnBurst(ReadOnlySpan<Packet> packets);

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
        if (FirstReady())
            return true;
        if (!endMarked)
            return false;
        _completion.TrySetResult();
        return true;
    }

    /// <summary>Closes the half: waits for a running call to leave, fails pending waits, releases the mapping.</summary>
    public void Close()
    {
        if (!Gate.Close())
            return;
        _completion.TrySetException(new ObjectDisposedException(nameof(PacketReader)));
        _ = _completion.Task.Exception; // observed: a reader nobody awaits must not crash the finalizer thread
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
                $"the application holds all {Side.Geometry.RingSize} buffers of queue {Side.Index}: nothing can arrive until it returns some");
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
