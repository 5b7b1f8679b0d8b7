using System.Buffers.Binary;
using CsCheck;
using Ring.Harness.Traffic;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// <c>--verify full</c>: the pattern a sender writes matches itself from any frame offset, one changed byte anywhere
/// (or a buffer of another packet) fails the check, and a receiver counts a frame corrupt when any of its buffers
/// has a wrong byte, its first or a later one of a chain, through a real region in this process.
/// </summary>
public sealed class PayloadPatternTests
{
    private static readonly Gen<(int Offset, int Length, ulong Seed)> Pieces =
        Gen.Select(Gen.Int[0, 9000], Gen.Int[0, 2100], Gen.ULong);

    [Fact]
    public void Fill_AnyFrameOffsetAndLength_MatchesItself()
    {
        Pieces.Sample((offset, length, seed) =>
        {
            var piece = new byte[length];
            PayloadPattern.Fill(piece, offset, seed);
            return PayloadPattern.Matches(piece, offset, seed);
        });
    }

    [Fact]
    public void Fill_ThePiecesOfAFrame_AreTheWholeFramesBytes()
    {
        // A chained frame is filled buffer by buffer at its frame offsets: the same bytes as the frame filled at once.
        Gen.Select(Gen.Int[16, 9000], Gen.Int[64, 2048], Gen.ULong).Sample((size, bufferSize, seed) =>
        {
            var whole = new byte[size];
            PayloadPattern.Fill(whole, 0, seed);
            var pieces = new byte[size];
            for (int at = 0; at < size; at += bufferSize)
                PayloadPattern.Fill(pieces.AsSpan(at, Math.Min(bufferSize, size - at)), at, seed);
            return whole.AsSpan().SequenceEqual(pieces);
        });
    }

    [Fact]
    public void Matches_AnyOneByteChanged_IsFalse()
    {
        Gen.Select(Pieces.Where(p => p.Length > 0), Gen.Int, Gen.Byte[1, 255]).Sample((piece, at, flip) =>
        {
            var bytes = new byte[piece.Length];
            PayloadPattern.Fill(bytes, piece.Offset, piece.Seed);
            bytes[(int)((uint)at % (uint)bytes.Length)] ^= flip;
            return !PayloadPattern.Matches(bytes, piece.Offset, piece.Seed);
        });
    }

    [Fact]
    public void Matches_AnotherPacketsBuffer_IsFalse()
    {
        var bytes = new byte[1484];
        PayloadPattern.Fill(bytes, PayloadPattern.Start, PayloadPattern.Seed(7, 1234));

        Assert.True(PayloadPattern.Matches(bytes, PayloadPattern.Start, PayloadPattern.Seed(7, 1234)));
        Assert.False(PayloadPattern.Matches(bytes, PayloadPattern.Start, PayloadPattern.Seed(8, 1234)));
        Assert.False(PayloadPattern.Matches(bytes, PayloadPattern.Start, PayloadPattern.Seed(7, 1235)));
        Assert.False(PayloadPattern.Matches(bytes, PayloadPattern.Start + 8, PayloadPattern.Seed(7, 1234)));
    }

    [Fact]
    public async Task Receive_FullChainedFramesFromTheStamper_AllIntactUntilOneByteFlips()
    {
        // 256-byte buffers: a 700-byte frame is a chain of three. Frames 0..9 come from the stamper; frame 10 has one
        // byte flipped in its first buffer, frame 11 one in its second buffer, frame 12 one in the stamp.
        using var pair = await RegionPair.StartAsync(new GuestOptions { BufferSize = 256, RingSize = 64 });
        var writer = pair.DeviceQueue().Writer;
        var reader = pair.GuestQueue().Reader;
        var stamper = new PacketStamper(700, Verification.Full);
        var receiver = new PacketReceiver(Verification.Full);
        var burst = new Packet[reader.MaxChainLength * 4];
        ulong sequence = 0;
        while (sequence < 10)
        {
            stamper.Send(writer, burst, 10 - (int)sequence, ref sequence, stamped: true);
            ReceiveUntil(reader, receiver, burst, frames: sequence);
        }
        foreach (int flipAt in (int[])[100, 300, 9])
        {
            var frame = Frame(sequence++, 700, stamp: 42);
            frame[flipAt] ^= 0x10;
            Assert.True(writer.TrySend(frame));
        }
        ReceiveUntil(reader, receiver, burst, frames: 13);

        Assert.Equal((13UL, 39UL, 13UL * 700, 3UL), (receiver.Sequence.Received, receiver.Packets, receiver.Bytes, receiver.Corrupt));
        Assert.Equal(13UL, receiver.Sequence.InOrder);
    }

    /// <summary>A test packet as a full-verify sender writes it: the sequence number, the stamp, the pattern.</summary>
    internal static byte[] Frame(ulong sequence, int size, long stamp)
    {
        var frame = new byte[size];
        BinaryPrimitives.WriteUInt64LittleEndian(frame, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(LatencyRecorder.StampOffset), stamp);
        PayloadPattern.Fill(frame.AsSpan(PayloadPattern.Start), PayloadPattern.Start, PayloadPattern.Seed(sequence, stamp));
        return frame;
    }

    private static void ReceiveUntil(PacketReader reader, PacketReceiver receiver, Packet[] burst, ulong frames)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (receiver.Sequence.Received < frames)
        {
            Assert.True(clock.Elapsed < Deadline.Default, $"{receiver.Sequence.Received} of {frames} frames arrived");
            int n = reader.TryReceive(burst);
            receiver.Receive(burst.AsSpan(0, n), reader);
            reader.Return(burst.AsSpan(0, n));
        }
    }
}
