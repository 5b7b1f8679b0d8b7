using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;
using Ring.Harness.Traffic;

namespace Consumer;

/// <summary>
/// A forwarding application (io, macswap, icmpecho) on one queue pair: receives bursts on RX, gives each frame to
/// the <see cref="IGuestApp"/> with a rented TX buffer to write its reply into, sends the replies in one burst and
/// returns the RX buffers. The reply is the only copy, straight from the RX buffer into the TX buffer; a frame the
/// application drops leaves its TX buffer for the next frame. A frame chained over several buffers (jumbo) is
/// gathered, answered and scattered again (see <see cref="ForwardChain"/>). Runs until the device's stream ends, then ends its
/// own. With no TX buffer free it waits for the device to give some back, holding the RX burst (backpressure, as a
/// full TX ring stalls testpmd's forwarding); only that wait counts towards the stall timeout, since an idle link is
/// no stall.
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
        Span<Packet> tx = stackalloc Packet[room];
        var reader = _reader;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            int n = reader.TryReceive(rx);
            if (n != 0)
            {
                var burst = rx[..n];
                capture?.Write(burst, reader);
                Forward(burst, tx, cancel);
                reader.Return(burst);
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

    /// <summary>Answers the frames of a burst in order: runs of one-buffer frames together, chained frames one by one.</summary>
    private void Forward(ReadOnlySpan<Packet> burst, Span<Packet> tx, CancellationToken cancel)
    {
        for (int next = 0; next < burst.Length;)
        {
            int end = next;
            while (end < burst.Length && !burst[end].ContinuesInNext)
                end++;
            if (end != next)
            {
                ForwardSingles(burst[next..end], tx, cancel);
                next = end;
                continue;
            }
            int segments = ChainedFrame.Segments(burst[next..]);
            ForwardChain(burst.Slice(next, segments), tx, cancel);
            next += segments;
        }
    }

    /// <summary>Answers one-buffer <paramref name="frames"/>, renting TX buffers as they come free: each reply is
    /// written straight from the RX buffer into a TX buffer.</summary>
    private void ForwardSingles(ReadOnlySpan<Packet> frames, Span<Packet> tx, CancellationToken cancel)
    {
        var reader = _reader;
        var writer = _writer;
        for (int next = 0; next < frames.Length;)
        {
            int rented = writer.TryRent(tx[..Math.Min(frames.Length - next, tx.Length)]);
            if (rented == 0)
            {
                WaitForTxBuffers(cancel);
                continue;
            }
            _watch.Worked();
            int replies = 0;
            while (next < frames.Length && replies < rented)
            {
                var frame = reader.Payload(frames[next++]);
                _received++;
                _receivedBytes += (ulong)frame.Length;
                int length = app.Respond(frame, writer.GetBuffer(tx[replies]), out _);
                if (length != 0)
                {
                    tx[replies] = tx[replies].WithLength(length);
                    replies++;
                }
            }
            writer.TrySend(tx[..replies]);
            if (replies < rented)
                writer.Return(tx[replies..rented]);
            _sent += (ulong)replies;
        }
    }

    /// <summary>Answers a frame chained over several RX buffers: gathered into one buffer of this loop's, answered in
    /// place there, and the reply scattered over as many TX buffers as it needs. Two copies, for these frames only:
    /// the applications read and write one contiguous frame.</summary>
    private void ForwardChain(ReadOnlySpan<Packet> chain, Span<Packet> tx, CancellationToken cancel)
    {
        var frame = ChainedFrame.Gather(chain, _reader, _gathered);
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
                WaitForTxBuffers(cancel);
            else
                _watch.Worked();
            rented += n;
        }
        ChainedFrame.Scatter(_gathered.AsSpan(0, length), replyChain, _writer);
        _writer.TrySend(replyChain);
        _sent++;
    }

    private void WaitForTxBuffers(CancellationToken cancel)
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
