using Ring.Queues;
using Ring.Waiting;

namespace Ring;

/// <summary>
/// One side of one queue pair: its <see cref="Reader"/> (incoming packets) and <see cref="Writer"/> (outgoing), and
/// <see cref="Idle(int, TimeSpan)"/> for a poll loop that runs both on one thread, as a DPDK lcore runs its queue.
/// On a <see cref="Guest"/> the reader is RX and the writer TX; on a <see cref="Device"/> the other way round.
/// </summary>
/// <remarks>
/// A poll loop calls the reader's and the writer's non-blocking methods and then <see cref="Idle(int, TimeSpan)"/>
/// with how much work they did: it busy-polls, sleeps on the doorbell until the peer publishes, or both, as the side's
/// <see cref="WaitMode"/> says, and checks on the peer now and then. An application that prefers tasks uses the
/// reader's and the writer's async waits instead; the two styles cannot share one queue pair, which has one doorbell.
/// </remarks>
public sealed class QueuePair
{
    private readonly QueueSide _side;
    private readonly Receiver _reader;
    private readonly Sender _writer;
    private readonly IIdleStrategy _idle;
    private readonly PeerCheckClock _peerClock = new();
    private readonly Action _flushIfDue;
    private readonly Func<bool> _doorbellOwed;
    // Guards what touches the region outside the halves' own calls (the sleeper's words and counters).
    private readonly Memory.CallGate _gate = new();

    internal QueuePair(QueueSide side, Receiver reader, Sender writer, Action flushIfDue, Func<bool> doorbellOwed)
    {
        _side = side;
        _reader = reader;
        _writer = writer;
        _flushIfDue = flushIfDue;
        _doorbellOwed = doorbellOwed;
        _idle = IdleStrategies.Create(side.Mode, side.Sleeper, HasWork, side.PollBudget);
    }

    /// <summary>The queue pair's number, from 0.</summary>
    public int Index => _side.Index;

    /// <summary>Incoming packets: RX on a guest, TX on a device.</summary>
    public PacketReader Reader => _reader;

    /// <summary>Outgoing packets: TX on a guest, RX on a device.</summary>
    public PacketWriter Writer => _writer;

    /// <summary>How this side waits.</summary>
    public WaitMode WaitMode => _side.Mode;

    /// <summary>This side's sleeps on its doorbell. Any thread may read them, also while the poll loop runs.</summary>
    public unsafe SleepCounters SleepCounters
    {
        get
        {
            _gate.EnterShared(this);
            try
            {
                return HalfCounters.ReadSleeper((ulong*)_side.Sleeper.CountersBlock);
            }
            finally
            {
                _gate.ExitShared();
            }
        }
    }

    /// <summary>As <see cref="Idle(int, TimeSpan)"/> with no limit on the sleep.</summary>
    public bool Idle(int workCount) => Idle(workCount, TimeSpan.MaxValue);

    /// <summary>
    /// Called by a poll loop after each round with the work it did (packets received, sent, returned). With work it
    /// returns at once. Without, it does what the <see cref="WaitMode"/> says: nothing (poll), or sleep on the doorbell
    /// until the peer publishes something this side waits for, or <paramref name="maxSleep"/> passes (a paced sender's
    /// next send); hybrid polls for its budget first. Every 100 ms of idling it checks the peer and throws
    /// <see cref="RingException"/> when the peer died or failed, or left while this side still waits for it. Returns
    /// whether it slept.
    /// </summary>
    public bool Idle(int workCount, TimeSpan maxSleep)
    {
        if (_side.HasWaiter)
            throw new InvalidOperationException($"queue pair {Index} is waited on asynchronously: a poll loop's Idle cannot share its doorbell");
        if (workCount != 0)
        {
            ObjectDisposedException.ThrowIf(_gate.IsClosed, this); // a plain read: this path touches nothing in the region
            return _idle.Idle(workCount, maxSleep);
        }
        _gate.Enter(this);
        try
        {
            _flushIfDue();
            bool slept = _idle.Idle(0, maxSleep);
            if (_peerClock.Due(slept))
                CheckPeer();
            return slept;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// Sends packets this queue pair's <see cref="Reader"/> received back out through its <see cref="Writer"/> in
    /// their own buffers, without copying: zero-copy forwarding, as DPDK's io forwarding and AF_XDP's <c>XDP_TX</c>
    /// do. A packet's bytes may be rewritten first through the writer's <see cref="PacketWriter.GetBuffer"/> and its
    /// length changed with <see cref="Packet.WithLength"/>. Returns how many were sent, from the front: fewer when the
    /// TX ring has room for fewer (a chain goes whole or not at all); the rest stay the application's, to forward
    /// again after <see cref="Idle(int)"/> or to return to the reader. A packet sent is no longer the application's:
    /// its buffer comes back to the reader by itself once the device has sent it. Guest only. The reader and the
    /// writer must then be used from one thread, as a poll loop running both does: the writer gives the buffers back to
    /// the reader. Throws <see cref="InvalidOperationException"/>, changing nothing, when a packet is not one the
    /// reader handed out and the application holds.
    /// </summary>
    public int Forward(ReadOnlySpan<Packet> received) => _writer is GuestSender sender
        ? sender.Forward(received)
        : throw new InvalidOperationException("only a guest forwards: a device's reader and writer use different buffers (TX and fill)");

    /// <summary>The sleeper's re-check: anything this side would act on. A coalesced doorbell owed to the peer keeps
    /// this side awake, since the peer may be waiting for it.</summary>
    private bool HasWork() => _reader.HasWork() || _writer.HasWork() || _doorbellOwed() || _side.Peer.State != Queues.PeerState.Running;

    private void CheckPeer()
    {
        var state = _side.Peer.Refresh();
        if (state is Queues.PeerState.Died or Queues.PeerState.Failed)
            throw _side.Peer.Describe();
        // A peer that left is fine once this side wants nothing more from it: its stream was received in full and
        // no buffer this side waits for is still with it.
        if (state == Queues.PeerState.Left && ((!_reader.IsCompleted && !_reader.FirstReady()) || _writer.HasWaitingForPeer))
            throw _side.Peer.Describe();
    }

    /// <summary>The guest's halves, to reset them.</summary>
    internal Receiver ReceiverHalf => _reader;

    /// <summary>The guest's halves, to reset them.</summary>
    internal Sender SenderHalf => _writer;

    /// <summary>The side the halves share.</summary>
    internal QueueSide Side => _side;

    /// <summary>Stops the async waiter and closes both halves (each waits for a running call to leave).</summary>
    internal void Close()
    {
        _gate.Close();
        _side.StopWaiter(forGood: true);
        _reader.Close();
        _writer.Close();
    }
}
