namespace Ring.Queues;

/// <summary>
/// A packet buffer handed out by a queue: an offset into the pool (the guest-physical-address stand-in) that the
/// queue has validated, and a length. Only queues create them, so an offset in a Packet is always inside the pool
/// and on a buffer boundary. Read or write the bytes through the queue's <c>Payload</c>.
/// </summary>
public readonly struct Packet
{
    internal Packet(ulong offset, int length)
    {
        Offset = offset;
        Length = length;
    }

    /// <summary>Offset of the buffer from the start of the pool.</summary>
    public ulong Offset { get; }

    /// <summary>Bytes of packet data (for a buffer not yet filled: its capacity).</summary>
    public int Length { get; }

    /// <summary>The same buffer holding <paramref name="length"/> bytes; at most the current length.</summary>
    public Packet WithLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        return new Packet(Offset, length);
    }
}
