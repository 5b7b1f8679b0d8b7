using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;
using Ring.Harness.Traffic;

namespace Consumer;

/// <summary>
/// A forwarding application (io, macswap, icmpecho) on one queue pair: receives bursts on RX, gives each frame to
/// the <see cref="IGuestApp"/> to answer in place, in its own buffer, and sends the replies on TX in those same
/// buffers (<see cref="QueuePair.Forward"/>: zero-copy, as testpmd's forwarding modes send the mbufs they received);
/// frames the application drops go back to RX. <c>io</c> does not touch a byte. A frame chained over several
/// buffers (jumbo) is gathered, answered and scattered into rented TX buffers (see <see cref="ForwardChain"/>). Runs
/// until the device's stream ends, then ends its own. With no room on the TX ring it waits for the device to give
/// buffers back, holding the RX burst (backpressure, as a full TX ring stalls testpmd's forwarding); only that wait
/// counts towards the stall timeout, since an idle link is no stall.
/// </summary>
internal sealed class FrameForwarder(QueuePair pair, IGuestApp app, FrameCapture? capture, StallWatch watch) : IGuestLoop
{
    /// <summary>Packets per burst, as testpmd's default.</summary>
    public const int BurstSize = 32;

    private readonly PacketReader _reader = pair.Reader;
    private readonly PacketWriter _writer = pair.Writer;
    private readonly StallWatch _watch = watch;
    private readonly byte[] _gathered = new byte[pair.Reader.MaxChainLength * pair.Reader.BufferSize]; // a chained frame, whole
    private ulong _received;
    private ulong _receivedBytes;
    private ulong _sent;

    /// <inheritdoc />
    public void Run(long startTicks, CancellationToken cancel)
    {
        // Room for the longest chain: a reader hands out whole chains only, and a reply may need as many buffers.
        int room = Math.Max(BurstSize, _reader.MaxChainLength);
        Span<Packet> rx = stackalloc Packet[room];
        Span<Packet> replies = stackalloc Packet[room];
        Span<Packet> dropped = stackalloc Packet[room];
        var reader = _reader;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            int n = reader.TryReceive(rx);
            if (n != 0)
            {
                var burst = rx[..n];
                capture?.Write(burst, reader);
                Forward(burst, replies, dropped, cancel);
                pair.Idle(n);
            }
            else if (reader.Completion.IsCompleted)
            {
                reader.Completion.GetAwaiter().GetResult(); // throws when the device's stream failed
                break;
            }
            else
            {
                pair.Idle(0);
            }
        }
        _writer.Complete();
    }

    /// <summary>Answers the frames of a burst in order: runs of one-buffer frames together, chained frames one by
    /// one. Every buffer of the burst leaves on TX or goes back to RX.</summary>
    private void Forward(ReadOnlySpan<Packet> burst, Span<Packet> replies, Span<Packet> dropped, CancellationToken cancel)
    {
        for (int next = 0; next < burst.Length;)
        {
            int end = next;
            while (end < burst.Length && !burst[end].ContinuesInNext)
                end++;
            if (end != next)
            {
                ForwardSingles(burst[next..end], replies, dropped, cancel);
                next = end;
                continue;
            }
            int segments = ChainedFrame.Segments(burst[next..]);
            ForwardChain(burst.Slice(next, segments), replies, cancel);
            next += segments;
        }
    }

    /// <summary>Answers one-buffer <paramref name="frames"/> in place: each reply is written over its frame (an
    /// <see cref="IGuestApp"/> reads what it needs before it writes), and the replies leave in those buffers.</summary>
    private void ForwardSingles(ReadOnlySpan<Packet> frames, Span<Packet> replies, Span<Packet> dropped, CancellationToken cancel)
    {
        var reader = _reader;
        var writer = _writer;
        int count = 0, drops = 0;
        foreach (var packet in frames)
        {
            var frame = reader.Payload(packet);
            _received++;
            _receivedBytes += (ulong)frame.Length;
            int length = app.Respond(frame, writer.GetBuffer(packet), out _);
            if (length != 0)
                replies[count++] = packet.WithLength(length);
            else
                dropped[drops++] = packet;
        }
        if (drops != 0)
            reader.Return(dropped[..drops]);
        for (int sent = 0; sent < count;)
        {
            int n = pair.Forward(replies[sent..count]);
            if (n == 0)
            {
                WaitForTxRoom(cancel);
                continue;
            }
            _watch.Worked();
            sent += n;
        }
        _sent += (ulong)count;
    }

    /// <summary>Answers a frame chained over several RX buffers: gathered into one buffer of this loop's, answered in
    /// place there, and the reply scattered over as many rented TX buffers as it needs; the RX chain goes back. Two
    /// copies, for these frames only: the applications read and write one contiguous frame.</summary>
    private void ForwardChain(ReadOnlySpan<Packet> chain, Span<Packet> tx, CancellationToken cancel)
    {
        var frame = ChainedFrame.Gather(chain, _reader, _gathered);
        _reader.Return(chain);
        _received++;
        _receivedBytes += (ulong)frame.Length;
        int length = app.Respond(frame, _gathered, out _);
        if (length == 0)
            return;
        var replyChain = tx[..ChainedFrame.BuffersFor(length, _writer.BufferSize)];
        for (int rented = 0; rented < replyChain.Length;)
        {
            int n = _writer.TryRent(replyChain[rented..]);
            if (n == 0)
                WaitForTxRoom(cancel);
            else
                _watch.Worked();
            rented += n;
        }
        ChainedFrame.Scatter(_gathered.AsSpan(0, length), replyChain, _writer);
        _writer.TrySend(replyChain);
        _sent++;
    }

    private void WaitForTxRoom(CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        _watch.Idle(pair.Idle(0));
    }

    /// <inheritdoc />
    public void Report(RunSummary summary)
    {
        summary.AddFrames(_sent, _received, _receivedBytes);
        summary.AddApp(app.Counters);
    }
}
