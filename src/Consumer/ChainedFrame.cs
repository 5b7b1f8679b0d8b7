using Ring;

namespace Consumer;

/// <summary>A frame larger than one buffer: a chain of packets, every one but the last marked
/// <see cref="Packet.ContinuesInNext"/>; the copies into and out of one contiguous buffer that a chain needs.</summary>
internal static class ChainedFrame
{
    /// <summary>How many packets the frame that starts <paramref name="packets"/> spans: up to and including the first
    /// that does not continue (a reader hands out whole chains, so there is one).</summary>
    public static int Segments(ReadOnlySpan<Packet> packets)
    {
        int n = 0;
        while (packets[n].ContinuesInNext)
            n++;
        return n + 1;
    }

    /// <summary>Copies the frame of <paramref name="chain"/> into <paramref name="into"/> and returns it.</summary>
    public static Span<byte> Gather(ReadOnlySpan<Packet> chain, PacketReader reader, Span<byte> into)
    {
        int length = 0;
        foreach (var packet in chain)
        {
            var payload = reader.Payload(packet);
            payload.CopyTo(into[length..]);
            length += payload.Length;
        }
        return into[..length];
    }

    /// <summary>Copies <paramref name="frame"/> into the rented <paramref name="chain"/> (as many buffers as it needs),
    /// setting each packet's length and continuation.</summary>
    public static void Scatter(ReadOnlySpan<byte> frame, Span<Packet> chain, PacketWriter writer)
    {
        int size = writer.BufferSize;
        for (int i = 0; i < chain.Length; i++)
        {
            var piece = frame.Slice(i * size, Math.Min(size, frame.Length - i * size));
            piece.CopyTo(writer.GetBuffer(chain[i]));
            chain[i] = chain[i].WithLength(piece.Length).WithContinuation(i < chain.Length - 1);
        }
    }

    /// <summary>Buffers of <paramref name="bufferSize"/> bytes a frame of <paramref name="length"/> bytes needs (at least one).</summary>
    public static int BuffersFor(int length, int bufferSize) => Math.Max(1, (length + bufferSize - 1) / bufferSize);
}
