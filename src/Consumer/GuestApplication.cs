using System.Diagnostics;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;

namespace Consumer;

/// <summary>
/// The sequence-numbered guest applications on one queue pair: <c>rxonly</c> receives bursts, checks each packet's
/// sequence number (and writes it to <c>--pcap-out</c>, if given) and returns the buffers to the device; <c>txonly</c>
/// stamps sequence-numbered packets into rented TX buffers and sends them in bursts; <c>rxtx</c> does both. Between
/// rounds that find nothing it idles as its wait mode says. Finishes when the device's stream has been received in
/// full and its own stream is complete.
/// </summary>
internal sealed class GuestApplication : IGuestLoop
{
    /// <summary>Packets per burst, as testpmd's default.</summary>
    public const int BurstSize = 32;

    private readonly QueuePair _pair;
    private readonly PacketReader _reader;
    private readonly PacketWriter _writer;
    private readonly PacketStamper _stamper;
    private readonly ulong _txPackets;
    private readonly SendPlan _plan;
    private readonly StallWatch _watch;
    private readonly RandomPauses _pauses;
    private readonly RatePacer _pacer;
    private readonly FrameCapture? _capture;
    private bool _rxDone;
    private bool _txDone;

    public GuestApplication(QueuePair pair, LoopSettings settings, StallWatch watch, FrameCapture? capture)
    {
        _pair = pair;
        _reader = pair.Reader;
        _writer = pair.Writer;
        _stamper = settings.Stamper;
        Rx = settings.NewReceiver();
        _txPackets = settings.Plan.PacketsFor(pair.Index);
        _plan = settings.Plan;
        _watch = watch;
        _pauses = settings.NewPauses(seed: pair.Index);
        _pacer = settings.NewPacer();
        _capture = capture;
        _rxDone = (settings.Direction & Direction.Rx) == 0;
        _txDone = (settings.Direction & Direction.Tx) == 0;
    }

    /// <summary>What the RX side received: sequence-number counts and latency.</summary>
    public PacketReceiver Rx { get; }

    /// <summary>Packets sent on TX.</summary>
    public ulong Sent { get; private set; }

    /// <summary>Polls until both directions are done or <paramref name="cancel"/> fires.</summary>
    public void Run(long startTicks, CancellationToken cancel)
    {
        // Room for the longest chain: a reader hands out whole chains only, and a sender sends whole ones.
        int room = Math.Max(BurstSize, _reader.MaxChainLength);
        Span<Packet> burst = stackalloc Packet[room];
        Span<Packet> tx = stackalloc Packet[room];
        if (_txDone)
            _writer.Complete(); // nothing to send: the device's reader ends at once
        ulong txSequence = 0, txBursts = 0;
        var reader = _reader;
        var writer = _writer;
        _pacer.Start(startTicks);

        while (!(_rxDone && _txDone))
        {
            cancel.ThrowIfCancellationRequested();
            _pauses.MaybePause();
            int work = 0;
            if (!_rxDone)
            {
                int n = reader.TryReceive(burst);
                if (n != 0)
                {
                    Rx.Receive(burst[..n], reader);
                    _capture?.Write(burst[..n], reader);
                    reader.Return(burst[..n]);
                    work += n;
                }
                else if (reader.Completion.IsCompleted)
                {
                    reader.Completion.GetAwaiter().GetResult(); // throws when the device's stream failed
                    _rxDone = true;
                }
            }
            if (!_txDone)
            {
                bool timeUp = _plan.TimeIsUp(startTicks, txBursts++);
                if (txSequence == _txPackets || timeUp)
                {
                    writer.Complete();
                    _txDone = true;
                }
                else
                {
                    long now = _pacer.Paced ? Stopwatch.GetTimestamp() : 0; // the pacer's clock; the stamp is read at the send
                    int want = _pacer.Allowance(now, txSequence, (int)Math.Min((ulong)BurstSize, _txPackets - txSequence));
                    int m = _stamper.Send(writer, tx, want, ref txSequence, LatencyRecorder.ShouldStamp(_pacer.Paced, txBursts));
                    Sent += (ulong)m;
                    work += m;
                }
            }
            if (work != 0)
            {
                _watch.Worked();
                _pair.Idle(work);
            }
            else if (!(_rxDone && _txDone)) // finished this round: do not sleep a timeout before leaving the loop
            {
                var maxSleep = _txDone || !_pacer.Paced ? TimeSpan.MaxValue : _pacer.UntilNext(Stopwatch.GetTimestamp(), txSequence);
                _watch.Idle(_pair.Idle(0, maxSleep));
            }
        }
    }

    /// <inheritdoc />
    public void Report(RunSummary summary) => summary.Add(Sent, Rx);
}
