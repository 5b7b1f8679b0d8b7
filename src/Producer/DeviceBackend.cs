using System.Diagnostics;
using Ring.Queues;
using Ring.Harness.Traffic;
using Ring.Waiting;

namespace Producer;

/// <summary>
/// The device backend on one queue pair: on RX it takes guest buffers from the fill ring, writes
/// sequence-numbered packets into them and posts RX completions, then marks end of stream with its total; on TX it
/// drains the guest's TX ring, checks each packet's sequence number and posts TX completions, until the guest's
/// end-of-stream total has been consumed. Between polls that find nothing it does what its idle strategy says; a
/// doorbell that coalescing holds back is rung once its time is up. In ping-pong mode it sends one packet at a time
/// and waits for the guest to echo it back on TX, so the TX latency it records is the round trip.
/// </summary>
internal sealed class DeviceBackend
{
    /// <summary>Packets per burst.</summary>
    public const int BurstSize = 32;

    private readonly DeviceQueue _queue;
    private readonly PacketStamper _stamper;
    private readonly ulong _rxPackets;
    private readonly SendPlan _plan;
    private readonly PeerWatch _watch;
    private readonly RandomPauses _pauses;
    private readonly RatePacer _pacer;
    private readonly bool _pingPong;
    private bool _rxDone;
    private bool _txDone;
    private bool _paceHeld; // the pacer (or ping-pong) holds back the next send: fill buffers are not work yet

    public DeviceBackend(DeviceQueue queue, int index, LoopSettings settings, PeerWatch watch, bool pingPong)
    {
        _queue = queue;
        _stamper = settings.Stamper;
        _rxPackets = settings.Plan.PacketsFor(index);
        _plan = settings.Plan;
        _watch = watch;
        _pauses = settings.NewPauses(seed: 1000 + index);
        _pacer = settings.NewPacer();
        _pingPong = pingPong;
        _rxDone = (settings.Direction & Direction.Rx) == 0;
        _txDone = (settings.Direction & Direction.Tx) == 0;
        Idle = IdleStrategies.Create(settings.Mode, queue.Sleeper, HasWork, settings.PollBudget);
    }

    /// <summary>What the TX side received: sequence-number counts and latency.</summary>
    public PacketReceiver Tx { get; } = new();

    /// <summary>What this loop does when a poll finds nothing.</summary>
    public IIdleStrategy Idle { get; }

    /// <summary>The re-check before sleeping: buffers to fill (unless pacing holds the next send back; the sleep is
    /// then capped at the next send time), packets to take, end of stream, or a doorbell owed (never sleep on a
    /// coalesced doorbell: the guest may be waiting for it).</summary>
    private bool HasWork() =>
        (!_rxDone && !_paceHeld && _queue.HasFillBuffers) || (!_txDone && _queue.HasTxWork) || _queue.GuestDoorbell.Owed;

    /// <summary>Polls until both directions are done or <paramref name="cancel"/> fires.</summary>
    public void Run(long startTicks, CancellationToken cancel)
    {
        Span<Packet> burst = stackalloc Packet[BurstSize];
        ulong rxSequence = 0, rxBursts = 0;
        var queue = _queue;
        var pool = queue.Pool;
        _pacer.Start(startTicks);

        while (!(_rxDone && _txDone))
        {
            cancel.ThrowIfCancellationRequested();
            _pauses.MaybePause();
            int work = 0;
            if (!_rxDone)
            {
                long now = LatencyRecorder.ShouldStamp(_pacer.Paced || _pingPong, rxBursts) ? Stopwatch.GetTimestamp() : 0;
                int want = _pacer.Allowance(now, rxSequence, (int)Math.Min((ulong)BurstSize, _rxPackets - rxSequence));
                if (_pingPong)
                    want = Tx.Sequence.Received == rxSequence ? Math.Min(want, 1) : 0; // one ping in flight at a time
                _paceHeld = want == 0;
                int n = want == 0 ? 0 : queue.TakeRxBuffers(burst[..want]);
                for (int i = 0; i < n; i++)
                {
                    burst[i] = burst[i].WithLength(_stamper.Size);
                    _stamper.Write(pool.Payload(burst[i]), rxSequence++, now);
                }
                queue.CompleteRx(burst[..n]);
                work += n;
                if (rxSequence == _rxPackets || _plan.TimeIsUp(startTicks, rxBursts++))
                {
                    queue.MarkRxEndOfStream();
                    _rxDone = true;
                }
            }
            if (!_txDone)
            {
                int n = queue.ReceiveTx(burst);
                if (n != 0)
                    Tx.Receive(burst[..n], pool);
                queue.CompleteTx();
                work += n;
                if (n == 0 && queue.TryGetTxEndOfStream(out ulong total) && queue.TxConsumed >= total)
                    _txDone = true;
            }
            if (work != 0)
            {
                _watch.Worked();
                Idle.Idle(work, TimeSpan.MaxValue);
            }
            else if (!(_rxDone && _txDone)) // finished this round: do not sleep a timeout before leaving the loop
            {
                queue.GuestDoorbell.FlushIfDue();
                var maxSleep = _rxDone || !_pacer.Paced ? TimeSpan.MaxValue : _pacer.UntilNext(Stopwatch.GetTimestamp(), rxSequence);
                _watch.Idle(Idle.Idle(0, maxSleep));
            }
        }
        queue.GuestDoorbell.Flush();
    }
}
