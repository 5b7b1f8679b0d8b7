using Ring.Queues;

namespace Ring.Async;

/// <summary>
/// One burst from <see cref="PacketReader.ReadAllAsync"/>: the packets received together. They sit in a buffer
/// that the enumeration reuses. A burst is valid only until the next <c>MoveNextAsync</c>. That call gives its
/// buffers back to the fill ring and overwrites the array, so copy out anything you need for longer.
/// </summary>
public readonly struct PacketBurst
{
    private readonly Packet[] _packets;
    private readonly BufferPool _pool;

    internal PacketBurst(Packet[] packets, int count, BufferPool pool)
    {
        _packets = packets;
        _pool = pool;
        Count = count;
    }

    /// <summary>Packets in the burst.</summary>
    public int Count { get; }

    /// <summary>The packets, in the order the device completed them.</summary>
    public ReadOnlySpan<Packet> Packets => new(_packets, 0, Count);

    /// <summary>Packet <paramref name="index"/> of the burst.</summary>
    public Packet this[int index] => Packets[index];

    /// <summary>The bytes of packet <paramref name="index"/>, in the pool, without copying.</summary>
    public Span<byte> Payload(int index) => _pool.Payload(Packets[index]);
}
