using Ring.Queues;

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

    /// <summary>Checks and records one received burst.</summary>
    public void Receive(ReadOnlySpan<Packet> burst, BufferPool pool)
    {
        Latency.BeginBurst();
        foreach (var packet in burst)
        {
            var payload = pool.Payload(packet);
            _sequence.Check(payload);
            Latency.Record(payload);
        }
        Latency.EndBurst();
    }
}
