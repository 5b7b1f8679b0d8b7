using System.Diagnostics;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;

namespace Producer;

/// <summary>
/// The device backend on a TAP uplink, for one queue pair: what the kernel sends out of the TAP goes to the guest on
/// RX, read straight into the guest's fill buffers (no copy in between) and sent in bursts; what the guest sends on TX
/// goes into the TAP, written from its TX buffers, which go back in bursts. Non-blocking both ways. A frame the
/// kernel will not take now (its queue is full) is dropped and counted, as a NIC drops on a full ring, and so is a
/// runt too short for Ethernet; a frame waiting in the TAP while the guest has no fill buffer waits there (the
/// kernel queues it, up to the TAP's txqueuelen).
/// </summary>
/// <remarks>
/// How it waits follows the mode: poll spins on both (a read of the TAP per round, as a poll-mode driver spins on
/// its NIC), event sleeps in <see cref="BridgeWait"/> on the TAP and the doorbell together as soon as a round finds
/// nothing, hybrid polls for its budget first. It bridges until the stop token fires (a signal, or <c>--seconds</c>),
/// then gives back the fill buffers it holds, ends its RX stream and forwards what the guest still sends until the
/// guest ends its TX stream in turn, for at most <see cref="DrainTimeout"/>.
/// </remarks>
internal sealed class TapBridge : IDisposable
{
    /// <summary>Frames per burst.</summary>
    public const int BurstSize = 32;

    /// <summary>How long, after the stop, the guest has to end its stream.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Longest sleep in event mode, to look at the clock.</summary>
    private static readonly TimeSpan LongestSleep = TimeSpan.FromMilliseconds(100);

    private readonly QueuePair _pair;
    private readonly PacketReader _reader;
    private readonly PacketWriter _writer;
    private readonly TapDevice _tap;
    private readonly WaitMode _mode;
    private readonly long _pollBudgetTicks;
    private readonly BridgeWait? _wait;
    private readonly CancellationToken _stop;
    private readonly Packet[] _fill = new Packet[BurstSize]; // fill buffers rented and not yet used: [_fillNext, _fillCount)
    private int _fillNext;
    private int _fillCount;
    private bool _starving;

    /// <summary>Bridges <paramref name="tap"/> to <paramref name="pair"/>, waiting as <paramref name="mode"/> says
    /// (hybrid polls <paramref name="pollBudget"/> first), until <paramref name="stop"/> fires.</summary>
    public TapBridge(QueuePair pair, TapDevice tap, WaitMode mode, TimeSpan pollBudget, CancellationToken stop)
    {
        _pair = pair;
        _reader = pair.Reader;
        _writer = pair.Writer;
        _tap = tap;
        _mode = mode;
        _pollBudgetTicks = (long)(pollBudget.TotalSeconds * Stopwatch.Frequency);
        _stop = stop;
        _wait = mode == WaitMode.Poll ? null : new BridgeWait(tap, _reader, _writer, stop);
    }

    /// <summary>Frames read from the TAP and sent to the guest.</summary>
    public long FramesIn { get; private set; }

    /// <summary>Bytes of those frames.</summary>
    public long BytesIn { get; private set; }

    /// <summary>Frames the guest sent on TX, written to the TAP or dropped.</summary>
    public long FramesFromGuest { get; private set; }

    /// <summary>Bytes of those frames.</summary>
    public long BytesFromGuest { get; private set; }

    /// <summary>Frames written to the TAP.</summary>
    public long FramesOut { get; private set; }

    /// <summary>Frames the kernel did not take (its queue full, or the interface down).</summary>
    public long DroppedTapBusy { get; private set; }

    /// <summary>Frames from the guest shorter than an Ethernet header, which the kernel would refuse.</summary>
    public long DroppedRunt { get; private set; }

    /// <summary>Bridges until stopped and the guest has ended its stream; throws when the guest dies, fails or leaves
    /// early, or does not end its stream within <see cref="DrainTimeout"/> of the stop.</summary>
    public void Run()
    {
        Span<Packet> burst = stackalloc Packet[BurstSize];
        bool rxOpen = true, txOpen = true;
        long lastWork = Stopwatch.GetTimestamp();
        long drainDeadline = long.MaxValue;
        while (rxOpen || txOpen)
        {
            bool filling = _wait?.Filling ?? false, receiving = _wait?.Receiving ?? false;
            if (rxOpen && _stop.IsCancellationRequested && !filling)
            {
                EndRx();
                rxOpen = false;
                drainDeadline = Stopwatch.GetTimestamp() + (long)(DrainTimeout.TotalSeconds * Stopwatch.Frequency);
            }
            int work = 0;
            if (rxOpen && !filling)
                work += FromTap();
            if (txOpen && !receiving)
            {
                int n = _reader.TryReceive(burst);
                if (n != 0)
                    work += ToTap(burst[..n]);
                else if (_reader.Completion.IsCompleted)
                {
                    _reader.Completion.GetAwaiter().GetResult(); // throws when the guest's stream failed
                    txOpen = false;
                }
            }
            long now = Stopwatch.GetTimestamp();
            if (work != 0)
            {
                lastWork = now;
                continue;
            }
            if (now > drainDeadline)
                throw new RunFailedException($"the consumer did not end its stream within {DrainTimeout.TotalSeconds:0} s of the stop");
            if (_wait is null)
                _pair.Idle(0); // poll: spins straight on, and checks on the guest now and then
            else if (_mode == WaitMode.Event || now - lastWork >= _pollBudgetTicks)
                _wait.Wait(watchTap: rxOpen && !_starving, receive: txOpen, fill: rxOpen && _starving, LongestSleep);
        }
    }

    /// <summary>Reads what the TAP holds into fill buffers and sends it to the guest, one burst at most.</summary>
    private int FromTap()
    {
        if (_fillNext == _fillCount)
        {
            _fillNext = 0;
            _fillCount = _writer.TryRent(_fill);
            _starving = _fillCount == 0;
            if (_starving)
                return 0;
        }
        var writer = _writer;
        int first = _fillNext, n = first;
        while (n < _fillCount)
        {
            int length = _tap.Read(writer.GetBuffer(_fill[n]));
            if (length == 0)
                break;
            _fill[n] = _fill[n].WithLength(length);
            BytesIn += length;
            n++;
        }
        if (n == first)
            return 0;
        writer.TrySend(_fill.AsSpan(first, n - first));
        _fillNext = n;
        FramesIn += n - first;
        return n - first;
    }

    /// <summary>Writes a TX burst into the TAP and gives the buffers back.</summary>
    private int ToTap(ReadOnlySpan<Packet> burst)
    {
        var reader = _reader;
        foreach (var packet in burst)
        {
            var frame = reader.Payload(packet);
            BytesFromGuest += frame.Length;
            if (frame.Length < EthernetHeader.Length)
                DroppedRunt++;
            else if (_tap.TryWrite(frame))
                FramesOut++;
            else
                DroppedTapBusy++;
        }
        FramesFromGuest += burst.Length;
        reader.Return(burst);
        return burst.Length;
    }

    /// <summary>Gives back the fill buffers not used and ends the RX stream.</summary>
    private void EndRx()
    {
        if (_fillNext != _fillCount)
            _writer.Return(_fill.AsSpan(_fillNext, _fillCount - _fillNext));
        _fillNext = _fillCount = 0;
        _writer.Complete();
    }

    /// <summary>Adds the bridge's counters to <paramref name="summary"/>.</summary>
    public void Report(RunSummary summary)
    {
        summary.AddFrames((ulong)FramesIn, (ulong)FramesFromGuest, (ulong)BytesFromGuest);
        summary.UplinkIn += FramesIn;
        summary.UplinkOut += FramesOut;
        if (DroppedTapBusy != 0)
            summary.UplinkDrops["TapBusy"] = DroppedTapBusy;
        if (DroppedRunt != 0)
            summary.UplinkDrops["Runt"] = DroppedRunt;
    }

    /// <summary>Closes the event wait's descriptors; the TAP stays the caller's.</summary>
    public void Dispose() => _wait?.Dispose();
}
