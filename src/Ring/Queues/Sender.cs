using Ring.Async;
using Ring.Memory;
using Ring.Waiting;

namespace Ring.Queues;

/// <summary>
/// What the guest's and the device's writers share: the call gate, completing the stream, the asynchronous wait
/// for a free buffer, and the interest in buffers that decides whether this side wakes when the peer gives some
/// back. Each subclass has its own hot rent and send.
/// </summary>
internal abstract unsafe class Sender : PacketWriter
{
    private readonly ulong* _endOfStream;
    private readonly WaitSlot _slot;
    private readonly PeerCheckClock _peerClock = new();

    private protected Sender(QueueSide side, int endOfStreamOffset, int countersOffset)
        : base(side.Region.Base + side.Geometry.PoolOffset, side.Geometry.BufferSize, side.Region.Id, side.MaxChainLength)
    {
        Side = side;
        _endOfStream = (ulong*)(side.Control + endOfStreamOffset);
        Stats = new HalfCounters(side.Counters + countersOffset);
        _slot = new WaitSlot(Probe, "WaitToSendAsync");
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
    public override bool IsCompleted => _completed;

    private bool _completed;

    /// <summary>Whether the application is waiting for buffers: its last rent came up short. Only then does a
    /// buffer the peer gives back count as work that wakes this side.</summary>
    protected bool WantsBuffers { get; set; }

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
    public override int TryRent(Span<Packet> packets)
    {
        Gate.Enter(this);
        try
        {
            if (IsCompleted)
                return 0;
            int n = RentBurst(packets);
            WantsBuffers = n < packets.Length;
            if (n == 0 && !packets.IsEmpty)
                RentedNothing();
            return n;
        }
        finally
        {
            Gate.Exit();
        }
    }

    /// <inheritdoc />
    public override int TrySend(ReadOnlySpan<Packet> packets)
    {
        Gate.Enter(this);
        try
        {
            ThrowIfCompleted();
            return packets.IsEmpty ? 0 : SendBurst(packets);
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
    public override void Complete()
    {
        Gate.Enter(this);
        try
        {
            if (_completed)
                return;
            _completed = true;
            // R3 (release): every entry published before is visible with the mark. Pairs with A3 in
            // Receiver.EndMarked on the peer's side.
            Volatile.Write(ref *_endOfStream, Layout.QueueControlLayout.EndOfStreamFlag | Stats.PacketEntries);
            FlushDoorbell();
        }
        finally
        {
            Gate.Exit();
        }
    }

    /// <inheritdoc />
    public override ValueTask<bool> WaitToSendAsync(CancellationToken cancellationToken = default)
    {
        AsyncWaiter waiter;
        Gate.Enter(this);
        try
        {
            if (cancellationToken.IsCancellationRequested)
                return ValueTask.FromCanceled<bool>(cancellationToken);
            WantsBuffers = true;
            if (Probe() is bool answer)
                return new ValueTask<bool>(answer);
            waiter = Side.Waiter(); // inside the gate: see QueueSide.Waiter
        }
        catch (RingException e)
        {
            return ValueTask.FromException<bool>(e);
        }
        finally
        {
            Gate.Exit();
        }
        return waiter.WaitAsync(_slot, cancellationToken);
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> once <see cref="Complete"/> was called: nothing more
    /// can be sent.</summary>
    protected void ThrowIfCompleted()
    {
        if (IsCompleted)
            throw new InvalidOperationException("the writer was completed: nothing more can be sent");
    }

    /// <summary>
    /// Checks the frames a burst carries: a chain (packets marked <see cref="Packet.ContinuesInNext"/>) spans at most
    /// <see cref="PacketWriter.MaxChainLength"/> packets and ends in the burst, and chains need the peer to have
    /// accepted chained buffers. Throws <see cref="ArgumentException"/>, before anything changes.
    /// </summary>
    protected void ThrowIfBadChains(ReadOnlySpan<Packet> packets)
    {
        int chain = 0, longest = 0;
        foreach (var p in packets)
        {
            chain = p.ContinuesInNext ? chain + 1 : 0; // one pass, a compare and an add per packet
            longest = Math.Max(longest, chain);
        }
        if (longest == 0)
            return;
        if (!Side.ChainsNegotiated)
            throw new ArgumentException("the peer did not accept chained buffers: every packet must end its frame", nameof(packets));
        if (longest >= MaxChainLength)
            throw new ArgumentException($"a frame spans more than MaxChainLength ({MaxChainLength}) packets", nameof(packets));
        if (chain != 0)
            throw new ArgumentException("the burst ends inside a frame: its last packet continues in a next one that is not there", nameof(packets));
    }

    /// <summary>Rents up to <c>packets.Length</c> buffers. The hot path.</summary>
    protected abstract int RentBurst(Span<Packet> packets);

    /// <summary>Publishes rented packets (validated first, so a bad one changes nothing). The hot path.</summary>
    protected abstract int SendBurst(ReadOnlySpan<Packet> packets);

    /// <summary>Takes rented packets back unsent.</summary>
    protected abstract void ReturnBurst(ReadOnlySpan<Packet> packets);

    /// <summary>Whether a buffer is free to rent now (one acquire load when none is on hand).</summary>
    protected abstract bool BufferAvailable();

    /// <summary>Rings the peer's doorbell now if it sleeps, whatever coalescing holds back.</summary>
    public abstract void FlushDoorbell();

    /// <summary>Rings a doorbell coalescing held back once its time is up.</summary>
    public abstract void FlushDoorbellIfDue();

    /// <summary>Whether the application waits for buffers that only the peer can give back, and none is here.</summary>
    public bool HasWaitingForPeer => WantsBuffers && !IsCompleted && !BufferAvailable();

    /// <summary>The sleeper's re-check for this half: a buffer the application is waiting for.</summary>
    public bool HasWork() => WantsBuffers && !IsCompleted && BufferAvailable();

    /// <summary>Starts a new session after the device was reset (the caller holds the half: no call runs): the stream
    /// starts over and the half's own state is reset by <see cref="ResetRings"/>.</summary>
    public void Reset()
    {
        _completed = false;
        WantsBuffers = false;
        ResetRings();
    }

    /// <summary>Takes back what was with the device and reads and writes the rings from their first entries again.</summary>
    protected abstract void ResetRings();

    /// <summary>Writes the held gauge back into a counter block a reset cleared.</summary>
    public void RestoreHeld(ulong held) => Stats.Restart(held);

    /// <summary>Closes the half: waits for a running call to leave and releases the mapping.</summary>
    public void Close()
    {
        if (!Gate.Close())
            return;
        Detach();
        Side.Region.Release();
    }

    /// <summary>The wait's answer: true when a buffer is free, false when none will ever be, null for not yet.</summary>
    private bool? Probe()
    {
        if (IsCompleted)
            return false;
        if (BufferAvailable())
            return true;
        return Side.Peer.State switch
        {
            PeerState.Running => null,
            PeerState.Left => false,
            _ => throw Side.Peer.Describe(),
        };
    }

    private void RentedNothing()
    {
        Stats.CountStarved();
        if (Side.Peer.State == PeerState.Running && _peerClock.Due())
            Side.Peer.Refresh();
    }
}
