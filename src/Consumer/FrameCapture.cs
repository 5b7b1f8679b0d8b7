using Ring;
using Ring.Harness.Net;

namespace Consumer;

/// <summary>
/// <c>--pcap-out</c>: every frame the guest receives, written to one classic pcap file (nanosecond timestamps,
/// Ethernet) by <see cref="PcapWriter"/>, which copies each frame once into its own buffer and allocates nothing.
/// The queue loops share it, one burst at a time under a lock.
/// </summary>
internal sealed class FrameCapture : IDisposable
{
    private readonly PcapWriter _writer;
    private readonly Lock _gate = new();

    private FrameCapture(PcapWriter writer) => _writer = writer;

    /// <summary>Creates (or truncates) <paramref name="path"/>; throws <see cref="ArgumentException"/> with one line
    /// when it cannot, before anything else starts.</summary>
    public static FrameCapture Create(string path)
    {
        try
        {
            return new FrameCapture(new PcapWriter(path));
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

    /// <summary>Writes the frames of a burst <paramref name="reader"/> received.</summary>
    public void Write(ReadOnlySpan<Packet> burst, PacketReader reader)
    {
        lock (_gate)
        {
            foreach (var packet in burst)
                _writer.Write(reader.Payload(packet));
        }
    }

    /// <summary>Writes what is buffered and closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
            _writer.Dispose();
    }
}
