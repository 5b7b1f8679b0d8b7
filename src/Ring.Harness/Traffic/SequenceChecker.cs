using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ring.Harness.Traffic;

/// <summary>
/// Checks the sequence numbers a receiver sees: each packet's first 8 bytes (little-endian) must be the next
/// number. A number ahead of the expected one counts the gap as missing; one behind (repeated or reordered)
/// counts as bad.
/// </summary>
public struct SequenceChecker
{
    /// <summary>The next sequence number expected.</summary>
    public ulong Expected;
    /// <summary>Packets received.</summary>
    public ulong Received;
    /// <summary>Payload bytes received.</summary>
    public ulong Bytes;
    /// <summary>Packets whose number was behind the expected one, or too short to carry one.</summary>
    public ulong Bad;
    /// <summary>Numbers skipped over.</summary>
    public ulong Missing;

    /// <summary>Checks one payload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Check(ReadOnlySpan<byte> payload)
    {
        Received++;
        Bytes += (ulong)payload.Length;
        if (payload.Length < sizeof(ulong))
        {
            Bad++;
            return;
        }
        ulong sequence = BinaryPrimitives.ReadUInt64LittleEndian(payload);
        if (sequence == Expected)
            Expected++;
        else
            Mismatch(sequence);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Mismatch(ulong sequence)
    {
        if (sequence > Expected)
        {
            Missing += sequence - Expected;
            Expected = sequence + 1;
        }
        else
        {
            Bad++;
        }
    }
}
