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

    /// <summary>Checks and records one burst that <paramref name="reader"/> received.</summary>
    public void Receive(ReadOnlySpan<Packet> burst, PacketReader reader)
    {
        Latency.BeginBurst();
        foreach (var packet in burst)
        {
            var payload = reader.Payload(packet);
            _sequence.Check(payload);
            Latency.Record(payload);
        }
        Latency.EndBurst();
    }
}
