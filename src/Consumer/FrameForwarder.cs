using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;
using Ring.Harness.Traffic;

namespace Consumer;

/// <summary>
/// A forwarding application (io, macswap, icmpecho) on one queue pair: receives bursts on RX, gives each frame to
/// the <see cref="IGuestApp"/> with a rented TX buffer to write its reply into, sends the replies in one burst and
/// returns the RX buffers. The reply is the only copy, straight from the RX buffer into the TX buffer; a frame the
/// application drops leaves its TX buffer for the next frame. Runs until the device's stream ends, then ends its
/// own. With no TX buffer free it waits for the device to give some back, holding the RX burst (backpressure, as a
/// full TX ring stalls testpmd's forwarding); only that wait counts towards the stall timeout, since an idle link is
/// no stall.
/// </summary>
internal sealed class FrameForwarder(QueuePair pair, IGuestApp app, FrameCapture? capture, TimeSpan stallTimeout) : IGuestLoop
{
    /// <summary>Packets per burst, as testpmd's default.</summary>
    public const int BurstSize = 32;

    private readonly PacketReader _reader = pair.Reader;
    private readonly PacketWriter _writer = pair.Writer;
    private readonly StallWatch _watch = new(stallTimeout, () => "the producer to give back TX buffers");
    private ulong _received;
    private ulong _receivedBytes;
    private ulong _sent;

    /// <inheritdoc />
    public void Run(long startTicks, CancellationToken cancel)
    {
        Span<Packet> rx = stackalloc Packet[BurstSize];
        Span<Packet> tx = stackalloc Packet[BurstSize];
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

    /// <summary>Answers <paramref name="frames"/> in order, renting TX buffers as they come free.</summary>
    private void Forward(ReadOnlySpan<Packet> frames, Span<Packet> tx, CancellationToken cancel)
    {
        var reader = _reader;
        var writer = _writer;
        for (int next = 0; next < frames.Length;)
        {
            int rented = writer.TryRent(tx[..(frames.Length - next)]);
            if (rented == 0)
            {
                cancel.ThrowIfCancellationRequested();
                _watch.Idle(pair.Idle(0));
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

    /// <inheritdoc />
    public void Report(RunSummary summary)
    {
        summary.AddFrames(_sent, _received, _receivedBytes);
        summary.AddApp(app.Counters);
    }
}
