namespace Ring;

/// <summary>
/// One burst from <see cref="PacketReader.ReceiveAllAsync"/>: the packets received together. It is valid until the
/// enumeration moves on, which returns its packets to the peer; after that every member throws
/// <see cref="InvalidOperationException"/> rather than show packets that are no longer yours.
/// </summary>
public readonly struct PacketBurst
{
    private readonly PacketReader _reader;
    private readonly Packet[] _packets;
    private readonly Lease _lease;
    private readonly int _generation;

    internal PacketBurst(PacketReader reader, Packet[] packets, int count, Lease lease)
    {
        _reader = reader;
        _packets = packets;
        _lease = lease;
        _generation = lease.Generation;
        _count = count;
    }

    private readonly int _count;

    /// <summary>Packets in the burst.</summary>
    public int Count
    {
        get
        {
            ThrowIfExpired();
            return _count;
        }
    }

    /// <summary>The packets, in the order the peer sent them.</summary>
    public ReadOnlySpan<Packet> Packets
    {
        get
        {
            ThrowIfExpired();
            return new(_packets, 0, _count);
        }
    }

    /// <summary>Packet <paramref name="index"/> of the burst.</summary>
    public Packet this[int index] => Packets[index];

    /// <summary>The bytes of packet <paramref name="index"/>, in the pool, without copying.</summary>
    public Span<byte> Payload(int index) => _reader.Payload(Packets[index]);

    private void ThrowIfExpired()
    {
        if (_lease is null || _lease.Generation != _generation)
            throw new InvalidOperationException("this burst was returned to the peer when the enumeration moved on; copy what you need before the next MoveNextAsync");
    }

    /// <summary>Counts the bursts of one enumeration, so a burst knows when it has expired.</summary>
    internal sealed class Lease
    {
        /// <summary>The current burst's number.</summary>
        public int Generation { get; private set; }

        /// <summary>Ends the current burst.</summary>
        public void Expire() => Generation++;
    }
}
