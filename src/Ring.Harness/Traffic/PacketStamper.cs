using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ring.Harness.Traffic;

/// <summary>
/// Writes test packets of <see cref="Size"/> bytes: the sequence number in the first 8 (little-endian), as testpmd's
/// txonly and the reference lean.c do, the send time in the next 8, and then a constant (<c>--verify seq</c>) or the
/// frame's <see cref="PayloadPattern"/> (<c>--verify full</c>), which the receiver checks byte for byte.
/// </summary>
public sealed class PacketStamper
{
    /// <summary>Smallest packet: room for the sequence number and a timestamp.</summary>
    public const int MinSize = 16;

    /// <summary>Packets up to this size are written in 32-byte vectors inline; a call to memmove costs more than
    /// copying 64 bytes (seen as 13 % of the TX sender's time in a profile).</summary>
    private const int SmallPacket = 256;

    private readonly byte[] _template;
    private readonly bool _pattern;
    private readonly bool _vectors; // written by WriteVectors: 32..SmallPacket bytes, the template's, vectors in hardware

    /// <summary>A stamper for packets of <paramref name="size"/> bytes, filled for <paramref name="verification"/>.</summary>
    public PacketStamper(int size, Verification verification = Verification.Sequence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinSize);
        Size = size;
        Verification = verification;
        _pattern = verification == Verification.Full;
        _template = new byte[size];
        _template.AsSpan().Fill(0xab);
        _vectors = !_pattern && size >= Vector256<byte>.Count && size <= SmallPacket && BitConverter.IsLittleEndian
            && Vector256.IsHardwareAccelerated;
    }

    /// <summary>Bytes per packet.</summary>
    public int Size { get; }

    /// <summary>What the receiver checks, so what this stamper writes after the stamp.</summary>
    public Verification Verification { get; }

    /// <summary>Writes packet <paramref name="sequence"/>, sent at <paramref name="stamp"/> (Stopwatch ticks), into
    /// <paramref name="buffer"/> (at least <see cref="Size"/> bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(Span<byte> buffer, ulong sequence, long stamp)
    {
        if (_pattern)
        {
            WritePatterned(buffer[..Size], sequence, stamp);
            return;
        }
        if (_vectors)
        {
            WriteVectors(ref MemoryMarshal.GetReference(buffer[..Size]), Head(stamp), sequence);
            return;
        }
        if (Size < Vector256<byte>.Count)
            CopyShort(buffer);
        else
            _template.AsSpan().CopyTo(buffer);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[LatencyRecorder.StampOffset..], stamp);
    }

    /// <summary>
    /// Rents buffers from <paramref name="writer"/> for up to <paramref name="packets"/> packets, writes them (sequence
    /// numbers from <paramref name="sequence"/> on, which it advances; when <paramref name="stamped"/>, all with the
    /// clock read once, after the rent and before the first write, as ping stamps its payload just before it sends:
    /// finding a free buffer is the sender's own work, not part of the trip) and sends them in one burst; returns how
    /// many packets went. A packet longer than a buffer goes as a chain of buffers
    /// (<see cref="Packet.ContinuesInNext"/> on all but the last, the sequence number and stamp in the first), as many
    /// whole chains as <paramref name="burst"/> has room for; buffers rented beyond whole chains go back unsent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Send(PacketWriter writer, Span<Packet> burst, int packets, ref ulong sequence, bool stamped)
    {
        int bufferSize = writer.BufferSize;
        if (Size > bufferSize)
            return SendChains(writer, burst, packets, ref sequence, stamped, bufferSize);
        int n = packets == 0 ? 0 : writer.TryRent(burst[..packets]);
        if (n != 0)
        {
            long stamp = stamped ? Stopwatch.GetTimestamp() : 0;
            WriteBurst(writer, burst[..n], sequence, stamp);
            sequence += (ulong)n;
        }
        writer.TrySend(burst[..n]);
        return n;
    }

    /// <summary>
    /// Writes a burst of one-buffer packets, <paramref name="sequence"/> on, and sets their lengths.
    /// </summary>
    /// <remarks>
    /// Built for the stores. Each packet store misses (the receiver read the buffer's line last), and x86 commits
    /// stores in program order, so every other store the loop makes waits in the store buffer behind the misses
    /// and takes a place another packet's miss could have used: the fewer stores per packet, the more misses in
    /// flight at once. So the lengths are set first, in a loop of their own whose stores go to the stack and commit
    /// at once; the loop has a frame of its own (few live values: no spills); and a packet of 32 bytes or more is
    /// written in 32-byte vectors with the sequence number and stamp already in the first: two stores for 64 bytes,
    /// where a copy of the template and two 8-byte writes took four (pair rx: see docs/PERFORMANCE.md).
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteBurst(PacketWriter writer, Span<Packet> burst, ulong sequence, long stamp)
    {
        int size = Size;
        for (int i = 0; i < burst.Length; i++)
            burst[i] = burst[i].WithLength(size);
        if (!_vectors)
        {
            foreach (var packet in burst)
                Write(writer.GetBuffer(packet), sequence++, stamp);
            return;
        }
        var head = Head(stamp);
        foreach (var packet in burst)
            WriteVectors(ref MemoryMarshal.GetReference(writer.GetBuffer(packet)), head, sequence++);
    }

    /// <summary>A packet's first 32 bytes but for the sequence number (element 0, set per packet): the stamp, then the
    /// template's next 16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<ulong> Head(long stamp) =>
        Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_template)).AsUInt64().WithElement(1, (ulong)stamp);

    /// <summary>Writes one packet (when <c>_vectors</c>) at <paramref name="target"/> in 32-byte vector stores: the
    /// template's bytes after the head, the last vector ending at the packet's end (it may overlap the head, so it
    /// is written first), then the head with <paramref name="sequence"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteVectors(ref byte target, Vector256<ulong> head, ulong sequence)
    {
        ref byte template = ref MemoryMarshal.GetArrayDataReference(_template);
        nuint last = (nuint)(Size - Vector256<byte>.Count);
        for (nuint at = (nuint)Vector256<byte>.Count; at < last; at += (nuint)Vector256<byte>.Count)
            Vector256.LoadUnsafe(ref template, at).StoreUnsafe(ref target, at);
        Vector256.LoadUnsafe(ref template, last).StoreUnsafe(ref target, last);
        head.WithElement(0, sequence).AsByte().StoreUnsafe(ref target);
    }

    /// <summary>Writes the first <paramref name="buffer"/> of frame <paramref name="sequence"/> (the whole frame, unless it is
    /// chained) with its stamp and the pattern; returns the frame's pattern seed.</summary>
    private static ulong WritePatterned(Span<byte> buffer, ulong sequence, long stamp)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[LatencyRecorder.StampOffset..], stamp);
        ulong seed = PayloadPattern.Seed(sequence, stamp);
        PayloadPattern.Fill(buffer[PayloadPattern.Start..], PayloadPattern.Start, seed);
        return seed;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int SendChains(PacketWriter writer, Span<Packet> burst, int packets, ref ulong sequence, bool stamped, int bufferSize)
    {
        int segments = (Size + bufferSize - 1) / bufferSize;
        int want = Math.Min(packets, burst.Length / segments) * segments;
        int rented = want == 0 ? 0 : writer.TryRent(burst[..want]);
        int whole = rented / segments;
        int used = whole * segments;
        if (used != rented)
            writer.Return(burst[used..rented]);
        long stamp = stamped && used != 0 ? Stopwatch.GetTimestamp() : 0;
        ulong seed = 0;
        for (int i = 0; i < used; i++)
        {
            int segment = i % segments;
            int offset = segment * bufferSize;
            int length = Math.Min(bufferSize, Size - offset);
            var buffer = writer.GetBuffer(burst[i])[..length];
            if (!_pattern)
            {
                _template.AsSpan(offset, length).CopyTo(buffer);
                if (segment == 0)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(buffer, sequence++);
                    BinaryPrimitives.WriteInt64LittleEndian(buffer[LatencyRecorder.StampOffset..], stamp);
                }
            }
            else if (segment == 0)
                seed = WritePatterned(buffer, sequence++, stamp);
            else
                PayloadPattern.Fill(buffer, offset, seed); // the pattern runs on across the chain, by frame offset
            burst[i] = burst[i].WithLength(length).WithContinuation(segment != segments - 1);
        }
        writer.TrySend(burst[..used]);
        return whole;
    }

    /// <summary>Copies the template of a packet shorter than 32 bytes into <paramref name="buffer"/> as two 16-byte
    /// vectors, the second ending at the packet's end (sizes are at least <see cref="MinSize"/> = 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CopyShort(Span<byte> buffer)
    {
        ref byte source = ref MemoryMarshal.GetArrayDataReference(_template);
        ref byte target = ref MemoryMarshal.GetReference(buffer[..Size]);
        nuint last = (nuint)(Size - Vector128<byte>.Count);
        Vector128.LoadUnsafe(ref source).StoreUnsafe(ref target);
        Vector128.LoadUnsafe(ref source, last).StoreUnsafe(ref target, last);
    }
}
