using System.Buffers.Binary;

namespace Ring.Harness.Traffic;

/// <summary>
/// What a receiving loop does with each burst: check every packet's sequence number, with <c>--verify full</c> every
/// byte of it too, and record its one-way latency. The guest's RX side and the device's TX side both use it.
/// </summary>
/// <param name="verification">What the sender wrote, so what can be checked.</param>
public sealed class PacketReceiver(Verification verification = Verification.Sequence)
{
    private readonly bool _full = verification == Verification.Full;

    /// <summary>Sequence-number counts of the frames received.</summary>
    public SequenceChecker Sequence { get; } = new();

    /// <summary>One-way latency of what was received.</summary>
    public LatencyRecorder Latency { get; } = new();

    /// <summary>What this receiver checks.</summary>
    public Verification Verification => verification;

    /// <summary>Packets received (ring entries, one buffer each: a chained frame counts each of its buffers).</summary>
    public ulong Packets { get; private set; }

    /// <summary>Payload bytes received.</summary>
    public ulong Bytes { get; private set; }

    /// <summary>Frames with a byte that is not what the sender wrote (<c>--verify full</c> only; 0 otherwise). They are
    /// counted by <see cref="Sequence"/> too, by their number: a corrupt frame may be in order.</summary>
    public ulong Corrupt { get; private set; }

    /// <summary>Checks and records one burst that <paramref name="reader"/> received. A frame chained over several
    /// buffers (<see cref="Packet.ContinuesInNext"/>) carries its sequence number and stamp in the first; with
    /// <c>--verify full</c> every buffer of it is checked against the frame's pattern, and a frame with one wrong
    /// byte is one corrupt frame. A reader hands out whole chains only, so a frame never spans two bursts.</summary>
    public void Receive(ReadOnlySpan<Packet> burst, PacketReader reader)
    {
        Latency.BeginBurst();
        if (_full)
            ReceiveFull(burst, reader);
        else
            ReceiveSequence(burst, reader);
        Latency.EndBurst();
        Packets += (ulong)burst.Length;
    }

    private void ReceiveSequence(ReadOnlySpan<Packet> burst, PacketReader reader)
    {
        bool first = true;
        ulong bytes = 0;
        foreach (var packet in burst)
        {
            var payload = reader.Payload(packet);
            if (first)
            {
                Latency.Record(payload); // first: the clock is read before the check's work, as a ping reads it on receipt
                Sequence.Check(payload);
            }
            bytes += (ulong)payload.Length;
            first = !packet.ContinuesInNext;
        }
        Bytes += bytes;
    }

    private void ReceiveFull(ReadOnlySpan<Packet> burst, PacketReader reader)
    {
        bool first = true, intact = true;
        ulong bytes = 0, seed = 0;
        int frameOffset = 0;
        foreach (var packet in burst)
        {
            var payload = reader.Payload(packet);
            if (first)
            {
                Latency.Record(payload); // first, as in ReceiveSequence
                Sequence.Check(payload);
                intact = payload.Length >= PayloadPattern.Start;
                if (intact)
                {
                    seed = PayloadPattern.Seed(BinaryPrimitives.ReadUInt64LittleEndian(payload),
                        BinaryPrimitives.ReadInt64LittleEndian(payload[LatencyRecorder.StampOffset..]));
                    intact = PayloadPattern.Matches(payload[PayloadPattern.Start..], PayloadPattern.Start, seed);
                }
            }
            else
            {
                intact = intact && PayloadPattern.Matches(payload, frameOffset, seed);
            }
            frameOffset += payload.Length;
            bytes += (ulong)payload.Length;
            first = !packet.ContinuesInNext;
            if (first)
            {
                Corrupt += intact ? 0UL : 1UL;
                frameOffset = 0;
            }
        }
        Bytes += bytes;
    }
}
