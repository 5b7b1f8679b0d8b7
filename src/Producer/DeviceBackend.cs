using System.Diagnostics;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;

namespace Producer;

/// <summary>
/// The device backend on one queue pair: on RX it rents the guest's fill buffers, writes sequence-numbered packets
/// into them and sends them, then completes its stream; on TX it receives the guest's packets, checks each one's
/// sequence number and returns the buffers, until the guest's stream has been received in full. Between rounds
/// that find nothing it idles as its wait mode says. In ping-pong mode it sends one packet at a time and waits for
/// the guest to echo it back on TX, so the TX latency it records is the round trip.
/// </summary>
internal sealed class DeviceBackend : IDeviceLoop
{
    /// <summary>Packets per burst.</summary>
    public const int BurstSize = 32;

    private readonly QueuePair _pair;
    private readonly PacketReader _reader;
    private readonly PacketWriter _writer;
    private readonly PacketStamper _stamper;
    private readonly ulong _rxPackets;
    private readonly SendPlan _plan;
    private readonly StallWatch _watch;
    private readonly RandomPauses _pauses;
    private readonly RatePacer _pacer;
    private readonly bool _pingPong;
    private bool _rxDone;
    private bool _txDone;

    public DeviceBackend(QueuePair pair, LoopSettings settings, StallWatch watch, bool pingPong)
    {
        _pair = pair;
        _reader = pair.Reader;
        _writer = pair.Writer;
        _stamper = settings.Stamper;
        Tx = settings.NewReceiver();
        _rxPackets = settings.Plan.PacketsFor(pair.Index);
        _plan = settings.Plan;
        _watch = watch;
        _pauses = settings.NewPauses(seed: 1000 + pair.Index);
        _pacer = settings.NewPacer();
        _pingPong = pingPong;
        _rxDone = (settings.Direction & Direction.Rx) == 0;
        _txDone = (settings.Direction & Direction.Tx) == 0;
    }

    /// <summary>What the TX side received: sequence-number counts and latency.</summary>
    public PacketReceiver Tx { get; }

    /// <summary>Packets sent on RX.</summary>
    public ulong Sent { get; private set; }

    /// <inheritdoc />
    public void Run(long startTicks, CancellationToken cancel)
    {
        // Room for the longest chain: a reader hands out whole chains only, and a sender sends whole ones.
        Span<Packet> burst = stackalloc Packet[Math.Max(BurstSize, _reader.MaxChainLength)];
        if (_rxDone)
            _writer.Complete(); // nothing to send: the guest's reader ends at once
        ulong rxSequence = 0, rxBursts = 0;
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
                // One ping in flight at a time: while it is out, this side only polls for the echo (no clock read, no
                // call into the writer), so its loop, and with it the time to notice the echo, stays short.
                if (!_pingPong || Tx.Sequence.Received == rxSequence)
                {
                    bool stamped = LatencyRecorder.ShouldStamp(_pacer.Paced || _pingPong, rxBursts);
                    long now = _pacer.Paced ? Stopwatch.GetTimestamp() : 0; // the pacer's clock; the stamp is read at the send
                    int want = _pacer.Allowance(now, rxSequence, (int)Math.Min((ulong)BurstSize, _rxPackets - rxSequence));
                    if (_pingPong)
                        want = Math.Min(want, 1);
                    int n = _stamper.Send(writer, burst, want, ref rxSequence, stamped);
                    Sent += (ulong)n;
                    work += n;
                }
                if (rxSequence == _rxPackets || _plan.TimeIsUp(startTicks, rxBursts++))
                {
                    writer.Complete();
                    _rxDone = true;
                }
            }
            if (!_txDone)
            {
                int n = reader.TryReceive(burst);
                if (n != 0)
                {
                    Tx.Receive(burst[..n], reader);
                    reader.Return(burst[..n]);
                    work += n;
                }
                else if (reader.Completion.IsCompleted)
                {
                    reader.Completion.GetAwaiter().GetResult(); // throws when the guest's stream failed
                    _txDone = true;
                }
            }
            if (work != 0)
            {
                _watch.Worked();
                _pair.Idle(work);
            }
            else if (!(_rxDone && _txDone)) // finished this round: do not sleep a timeout before leaving the loop
            {
                var maxSleep = _rxDone || !_pacer.Paced ? TimeSpan.MaxValue : _pacer.UntilNext(Stopwatch.GetTimestamp(), rxSequence);
                _watch.Idle(_pair.Idle(0, maxSleep));
            }
        }
    }

    /// <inheritdoc />
    public void Report(RunSummary summary) => summary.Add(Sent, Tx);
}
