using System.Diagnostics;
using Ring.Queues;
using Ring.Harness.Traffic;
using Ring.Waiting;

namespace Consumer;

/// <summary>
/// The guest application on one queue pair: <c>rxonly</c> receives bursts, checks each packet's sequence number
/// and recycles the buffers onto the fill ring; <c>txonly</c> stamps sequence-numbered packets into free TX
/// buffers, sends them in bursts and reaps TX completions. Between polls that find nothing it does what its
/// idle strategy says (spin, sleep on the doorbell, or spin then sleep). With echo on, every packet received is
/// copied into a TX buffer and sent back (the round-trip benchmark's far end). Finishes when the device's RX
/// end-of-stream total has been consumed and every TX buffer has come back.
/// </summary>
internal sealed class GuestApplication
{
    /// <summary>Packets per burst, as testpmd's default.</summary>
    public const int BurstSize = 32;

    private readonly GuestQueue _queue;
    private readonly PacketStamper _stamper;
    private readonly ulong _txPackets;
    private readonly SendPlan _plan;
    private readonly PeerWatch _watch;
    private readonly RandomPauses _pauses;
    private readonly RatePacer _pacer;
    private readonly bool _echo;
    private bool _rxDone;
    private bool _txDone;
    private int _pendingCount; // packets stamped but not yet taken by the TX ring
    private bool _txMarked;    // TX end of stream marked: only the last completions are left to reap

    public GuestApplication(GuestQueue queue, int index, LoopSettings settings, PeerWatch watch, bool echo)
    {
        _queue = queue;
        _stamper = settings.Stamper;
        _txPackets = echo ? 0 : settings.Plan.PacketsFor(index);
        _plan = settings.Plan;
        _watch = watch;
        _pauses = settings.NewPauses(seed: index);
        _pacer = settings.NewPacer();
        _echo = echo;
        _rxDone = (settings.Direction & Direction.Rx) == 0;
        _txDone = (settings.Direction & Direction.Tx) == 0;
        Idle = IdleStrategies.Create(settings.Mode, queue.Sleeper, HasWork, settings.PollBudget);
    }

    /// <summary>What the RX side received: sequence-number counts and latency.</summary>
    public PacketReceiver Rx { get; } = new();

    /// <summary>What this loop does when a poll finds nothing.</summary>
    public IIdleStrategy Idle { get; }

    /// <summary>The re-check before sleeping: anything to receive, or learn about end of stream; completions the
    /// loop would reap now (it reaps only when short of buffers, or to finish); room for packets waiting to go.
    /// It must ask exactly what the loop would act on: a completion the loop leaves alone would keep it awake.</summary>
    private bool HasWork() =>
        (!_rxDone && _queue.HasRxWork)
        || (!_txDone && ((ReapsNow && _queue.HasTxCompletions) || (_pendingCount != 0 && _queue.HasTxRoom)));

    /// <summary>Whether the loop reaps TX completions this time round (DPDK's tx_free_thresh): each reap reads the
    /// device's index, so only when short of buffers, or to collect the last ones after end of stream.</summary>
    private bool ReapsNow => _queue.TxFree < BurstSize || _txMarked;

    /// <summary>Polls until both directions are done or <paramref name="cancel"/> fires.</summary>
    public void Run(long startTicks, CancellationToken cancel)
    {
        Span<Packet> burst = stackalloc Packet[BurstSize];
        Span<Packet> pending = stackalloc Packet[BurstSize];
        _txMarked = _txDone;
        ulong txSequence = 0, txBursts = 0;
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
                int n = queue.ReceiveBurst(burst);
                if (n != 0)
                {
                    Rx.Receive(burst[..n], pool);
                    if (_echo)
                        Echo(burst[..n], pending);
                    queue.Recycle(burst[..n]);
                }
                else
                {
                    queue.PostFill(); // buffers kept back when the fill ring had no room (a misbehaving device)
                }
                work += n;
                if (n == 0 && queue.TryGetRxEndOfStream(out ulong total) && queue.RxCompletionsConsumed >= total)
                    _rxDone = true;
            }
            if (!_txDone)
            {
                if (ReapsNow)
                    work += queue.ReapTxCompletions();
                if (!_txMarked)
                {
                    bool timeUp = _plan.TimeIsUp(startTicks, txBursts++);
                    if (!_echo && _pendingCount == 0 && txSequence < _txPackets && !timeUp)
                    {
                        long now = LatencyRecorder.ShouldStamp(_pacer.Paced, txBursts) ? Stopwatch.GetTimestamp() : 0;
                        int want = _pacer.Allowance(now, txSequence, (int)Math.Min((ulong)BurstSize, _txPackets - txSequence));
                        _pendingCount = queue.AllocateTx(pending[..want], _stamper.Size);
                        for (int i = 0; i < _pendingCount; i++)
                            _stamper.Write(pool.Payload(pending[i]), txSequence++, now);
                    }
                    int sent = queue.SendBurst(pending[.._pendingCount]);
                    if (sent != 0 && sent != _pendingCount)
                        pending[sent.._pendingCount].CopyTo(pending);
                    _pendingCount -= sent;
                    work += sent;
                    bool sendingDone = _echo ? _rxDone : txSequence == _txPackets || timeUp;
                    if (_pendingCount == 0 && sendingDone)
                    {
                        queue.MarkTxEndOfStream();
                        _txMarked = true;
                    }
                }
                else if (queue.TxInFlight == 0)
                {
                    _txDone = true;
                }
            }
            if (work != 0)
            {
                _watch.Worked();
                Idle.Idle(work, TimeSpan.MaxValue);
            }
            else if (!(_rxDone && _txDone)) // finished this round: do not sleep a timeout before leaving the loop
            {
                var maxSleep = _txDone || !_pacer.Paced ? TimeSpan.MaxValue : _pacer.UntilNext(Stopwatch.GetTimestamp(), txSequence);
                _watch.Idle(Idle.Idle(0, maxSleep));
            }
        }
    }

    /// <summary>Sends copies of <paramref name="received"/> back on the TX ring, in order, waiting for TX buffers and
    /// ring room as needed (the peer is watched while it waits).</summary>
    private void Echo(ReadOnlySpan<Packet> received, Span<Packet> tx)
    {
        var pool = _queue.Pool;
        for (int echoed = 0; echoed < received.Length;)
        {
            int left = received.Length - echoed;
            if (_queue.TxFree < left)
                _queue.ReapTxCompletions();
            int m = _queue.AllocateTx(tx[..left], pool.BufferSize);
            for (int i = 0; i < m; i++)
            {
                var source = pool.Payload(received[echoed + i]);
                tx[i] = tx[i].WithLength(source.Length);
                source.CopyTo(pool.Payload(tx[i]));
            }
            for (int sent = 0; sent < m;)
            {
                int n = _queue.SendBurst(tx[sent..m]);
                sent += n;
                if (n == 0)
                    _watch.Idle();
            }
            if (m == 0)
                _watch.Idle();
            echoed += m;
        }
    }
}
