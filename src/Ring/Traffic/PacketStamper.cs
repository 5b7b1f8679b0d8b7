using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ring.Traffic;

/// <summary>
/// Writes test packets: a fixed pattern of <see cref="Size"/> bytes with the sequence number in the first 8
/// (little-endian), as testpmd's txonly and the reference lean.c do, and the send time in the next 8.
/// </summary>
public sealed class PacketStamper
{
    /// <summary>Smallest packet: room for the sequence number and a timestamp.</summary>
    public const int MinSize = 16;

    private readonly byte[] _template;

    /// <summary>A stamper for packets of <paramref name="size"/> bytes.</summary>
    public PacketStamper(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        Size = size;
        _template = new byte[size];
        _template.AsSpan().Fill(0xab);
    }

    /// <summary>Bytes per packet.</summary>
    public int Size { get; }

    /// <summary>Writes packet <paramref name="sequence"/>, sent at <paramref name="stamp"/> (Stopwatch ticks), into
    /// <paramref name="buffer"/> (at least <see cref="Size"/> bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(Span<byte> buffer, ulong sequence, long stamp)
    {
        _template.AsSpan().CopyTo(buffer);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[LatencyRecorder.StampOffset..], stamp);
    }
}
