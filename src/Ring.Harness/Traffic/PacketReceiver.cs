namespace Ring.Harness.Traffic;

/// <summary>
/// What a receiving loop does with each burst: check every packet's sequence number and record its one-way
/// latency. The guest's RX side and the device's TX side both use it.
/// </summary>
public sealed class PacketReceiver
{
    private SequenceChecker _sequence;

    /// <summary>Sequence-number counts of what was received.</summary>
    public SequenceChecker Sequence => _sequence;

    /// <summary>One-way latency of what was received.</summary>
    public LatencyRecorder Latency { get; } = new();

    /// <summary>Checks and records one burst that <paramref name="reader"/> received. A packet chained over several
    /// buffers (<see cref="Packet.ContinuesInNext"/>) carries its sequence number and stamp in the first; the others
    /// add only their bytes.</summary>
    public void Receive(ReadOnlySpan<Packet> burst, PacketReader reader)
    {
        Latency.BeginBurst();
        bool first = true;
        foreach (var packet in burst)
        {
            var payload = reader.Payload(packet);
            if (first)
            {
                _sequence.Check(payload);
                Latency.Record(payload);
            }
            else
            {
                _sequence.Bytes += (ulong)payload.Length;
            }
            first = !packet.ContinuesInNext;
        }
        Latency.EndBurst();
    }
}
