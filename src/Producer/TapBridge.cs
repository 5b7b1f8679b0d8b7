using System.Diagnostics;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;

namespace Producer;

/// <summary>
/// The device backend on a TAP uplink, for one queue pair: what the kernel sends out of the TAP goes to the guest on
/// RX, read straight into the guest's fill buffers (no copy in between) and sent in bursts; what the guest sends on TX
/// goes into the TAP, written from its TX buffers, which go back in bursts. Non-blocking both ways. A frame longer
/// than a buffer travels as a chain: read scattered over fill buffers (<c>readv</c>), written gathered from the TX
/// buffers (<c>writev</c>), with no copy either way. A frame the
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
internal sealed class TapBridge : IDeviceLoop, IDisposable
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
    private readonly int _chainLength;   // fill buffers one read needs: the TAP's largest frame over buffers
    private readonly Packet[] _fill;     // fill buffers rented and not yet used: [_fillNext, _fillCount)
    private int _fillNext;
    private int _fillCount;
    private bool _starving;              // fewer fill buffers than one read needs

    /// <summary>Bridges <paramref name="tap"/>, whose frames are up to <paramref name="longestFrame"/> bytes, to
    /// <paramref name="pair"/>, waiting as <paramref name="mode"/> says (hybrid polls <paramref name="pollBudget"/>
    /// first), until <paramref name="stop"/> fires.</summary>
    public TapBridge(QueuePair pair, TapDevice tap, int longestFrame, WaitMode mode, TimeSpan pollBudget, CancellationToken stop)
    {
        _pair = pair;
        _reader = pair.Reader;
        _writer = pair.Writer;
        _tap = tap;
        _chainLength = ChainLengthFor(longestFrame, _writer);
        _fill = new Packet[BurstSize + _chainLength];
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

    /// <summary>Frames from the guest chained over more buffers than one <c>writev</c> takes.</summary>
    public long DroppedTooManySegments { get; private set; }

    /// <summary>The buffers one read must have on hand so a frame of <paramref name="longestFrame"/> bytes is never cut:
    /// a chain when the frame is longer than a buffer, at most the writer's longest chain and what one system call
    /// scatters over.</summary>
    public static int ChainLengthFor(int longestFrame, PacketWriter writer) =>
        Math.Min(Math.Min(writer.MaxChainLength, FrameSegments.MaxCount), (longestFrame + writer.BufferSize - 1) / writer.BufferSize);

    /// <summary>Bridges until stopped and the guest has ended its stream; throws when the guest dies, fails or leaves
    /// early, or does not end its stream within <see cref="DrainTimeout"/> of the stop, and
    /// <see cref="OperationCanceledException"/> when <paramref name="cancel"/> aborts the run (the stop token asks
    /// for a clean end instead).</summary>
    public void Run(long startTicks, CancellationToken cancel)
    {
        // Room for the longest chain: a reader hands out whole chains only.
        Span<Packet> burst = stackalloc Packet[Math.Max(BurstSize, _reader.MaxChainLength)];
        bool rxOpen = true, txOpen = true;
        long lastWork = startTicks;
        long drainDeadline = long.MaxValue;
        while (rxOpen || txOpen)
        {
            cancel.ThrowIfCancellationRequested();
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

    /// <summary>Reads what the TAP holds into fill buffers and sends it to the guest, one burst at most. A read gets as
    /// many fill buffers as the TAP's largest frame needs; the frame takes those it fills (a chain when it is longer
    /// than one), and the rest wait for the next read.</summary>
    private int FromTap()
    {
        var writer = _writer;
        if (_fillCount - _fillNext < _chainLength)
            TopUpFill();
        if (_starving)
            return 0;
        int first = _fillNext, frames = 0;
        while (frames < BurstSize && _fillCount - _fillNext >= _chainLength)
        {
            int length = _chainLength == 1 ? _tap.Read(writer.GetBuffer(_fill[_fillNext])) : ReadChain();
            if (length == 0)
                break;
            _fillNext += SetLengths(_fill.AsSpan(_fillNext), length);
            BytesIn += length;
            frames++;
        }
        if (frames == 0)
            return 0;
        writer.TrySend(_fill.AsSpan(first, _fillNext - first));
        FramesIn += frames;
        return frames;
    }

    /// <summary>Moves the fill buffers not yet used to the front and rents more behind them.</summary>
    private void TopUpFill()
    {
        int left = _fillCount - _fillNext;
        _fill.AsSpan(_fillNext, left).CopyTo(_fill);
        _fillNext = 0;
        _fillCount = left + _writer.TryRent(_fill.AsSpan(left));
        _starving = _fillCount < _chainLength;
    }

    /// <summary>Reads one frame scattered over the next <see cref="_chainLength"/> fill buffers.</summary>
    private int ReadChain()
    {
        var segments = new FrameSegments();
        foreach (var packet in _fill.AsSpan(_fillNext, _chainLength))
            segments.Add(_writer.GetBuffer(packet));
        return _tap.Read(ref segments);
    }

    /// <summary>Gives the packets at the start of <paramref name="chain"/> the lengths a frame of <paramref name="length"/>
    /// bytes read into them fills, marking all but the last as continuing; returns how many it takes.</summary>
    private int SetLengths(Span<Packet> chain, int length)
    {
        int size = _writer.BufferSize;
        int used = Math.Max(1, (length + size - 1) / size);
        for (int i = 0; i < used; i++)
            chain[i] = chain[i].WithLength(Math.Min(size, length - i * size)).WithContinuation(i < used - 1);
        return used;
    }

    /// <summary>Writes a TX burst into the TAP, a chained frame gathered in one write, and gives the buffers back.</summary>
    private int ToTap(ReadOnlySpan<Packet> burst)
    {
        var reader = _reader;
        int frames = 0;
        for (int i = 0; i < burst.Length; frames++)
        {
            bool written;
            int length;
            if (!burst[i].ContinuesInNext)
            {
                var frame = reader.Payload(burst[i++]);
                length = frame.Length;
                written = length >= EthernetHeader.Length && _tap.TryWrite(frame);
            }
            else if (ChainedLength(burst[i..]) <= FrameSegments.MaxCount)
            {
                var segments = new FrameSegments();
                do
                    segments.Add(reader.Payload(burst[i]));
                while (burst[i++].ContinuesInNext);
                length = segments.Length;
                written = length >= EthernetHeader.Length && _tap.TryWrite(ref segments);
            }
            else
            {
                // More buffers than one writev takes (a 64 KiB frame in buffers under 256 bytes): not written.
                int segments = ChainedLength(burst[i..]);
                for (int k = 0; k < segments; k++)
                    BytesFromGuest += burst[i + k].Length;
                i += segments;
                DroppedTooManySegments++;
                continue;
            }
            BytesFromGuest += length;
            if (written)
                FramesOut++;
            else if (length < EthernetHeader.Length)
                DroppedRunt++;
            else
                DroppedTapBusy++;
        }
        FramesFromGuest += frames;
        reader.Return(burst);
        return frames;
    }

    /// <summary>How many packets the frame that starts <paramref name="packets"/> spans (a reader hands out whole chains).</summary>
    private static int ChainedLength(ReadOnlySpan<Packet> packets)
    {
        int n = 1;
        while (packets[n - 1].ContinuesInNext)
            n++;
        return n;
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
        if (DroppedTooManySegments != 0)
            summary.UplinkDrops["TooManySegments"] = DroppedTooManySegments;
    }

    /// <summary>Closes the event wait's descriptors; the TAP stays the caller's.</summary>
    public void Dispose() => _wait?.Dispose();
}
