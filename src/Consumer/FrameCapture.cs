using Ring;
using Ring.Harness.Net;

namespace Consumer;

/// <summary>
/// <c>--pcap-out</c>: every frame the guest receives, written to one classic pcap file (nanosecond timestamps,
/// Ethernet) by <see cref="PcapWriter"/>, which copies each frame once into its own buffer and allocates nothing.
/// A frame chained over several buffers is gathered first into a buffer of this capture's (a second copy, for those
/// frames only). The queue loops share it, one burst at a time under a lock.
/// </summary>
internal sealed class FrameCapture : IDisposable
{
    private readonly PcapWriter _writer;
    private readonly byte[] _gathered;
    private readonly Lock _gate = new();

    private FrameCapture(PcapWriter writer, int longestFrame)
    {
        _writer = writer;
        _gathered = new byte[longestFrame];
    }

    /// <summary>Creates (or truncates) <paramref name="path"/> for frames up to <paramref name="longestFrame"/> bytes;
    /// throws <see cref="ArgumentException"/> with one line when it cannot, before anything else starts.</summary>
    public static FrameCapture Create(string path, int longestFrame)
    {
        try
        {
            return new FrameCapture(new PcapWriter(path), longestFrame);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--pcap-out {path}: {e.Message}");
        }
    }

    /// <summary>Frames written.</summary>
    public long Frames
    {
        get
        {
            lock (_gate)
                return _writer.Frames;
        }
    }

    /// <summary>Writes the frames of a burst <paramref name="reader"/> received (whole chains: a reader hands out no other).</summary>
    public void Write(ReadOnlySpan<Packet> burst, PacketReader reader)
    {
        lock (_gate)
        {
            for (int i = 0; i < burst.Length;)
            {
                if (!burst[i].ContinuesInNext)
                {
                    _writer.Write(reader.Payload(burst[i++]));
                    continue;
                }
                int segments = ChainedFrame.Segments(burst[i..]);
                _writer.Write(ChainedFrame.Gather(burst.Slice(i, segments), reader, _gathered));
                i += segments;
            }
        }
    }

    /// <summary>Writes what is buffered and closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
            _writer.Dispose();
    }
}
