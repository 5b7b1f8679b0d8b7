namespace Ring;

/// <summary>
/// A packet buffer handed out by a <see cref="PacketReader"/> or a <see cref="PacketWriter"/>: the buffer's offset
/// in the pool (the guest-physical-address stand-in, which is all that crosses between the two sides) and how
/// many bytes of packet data it holds. Only readers and writers create packets, so the offset always names a
/// buffer of the region it came from. Read or write its bytes with <see cref="PacketReader.Payload"/> or
/// <see cref="PacketWriter.GetBuffer"/>, and give it back exactly once: a received packet with
/// <see cref="PacketReader.Return"/> (or send it on with <see cref="QueuePair.Forward"/>), a rented one with <see cref="PacketWriter.TrySend(ReadOnlySpan{Packet})"/> or
/// <see cref="PacketWriter.Return"/>.
/// </summary>
public readonly struct Packet : IEquatable<Packet>
{
    /// <summary>The bit of <see cref="_regionAndFlags"/> that says the frame continues in the next packet.</summary>
    internal const int ContinuationFlag = int.MinValue;

    // The region's number, with ContinuationFlag in its sign bit (region numbers are positive).
    private readonly int _regionAndFlags;

    internal Packet(ulong offset, int length, int regionAndFlags)
    {
        Offset = offset;
        Length = length;
        _regionAndFlags = regionAndFlags;
    }

    /// <summary>Offset of the buffer from the start of the pool.</summary>
    public ulong Offset { get; }

    /// <summary>Bytes of packet data: what was received, or, for a rented buffer, what will be sent (0 until set
    /// with <see cref="WithLength"/>). A buffer's capacity is its writer's <see cref="PacketWriter.BufferSize"/>.</summary>
    public int Length { get; }

    /// <summary>Which open region this packet belongs to (a number unique in this process).</summary>
    internal int Region => _regionAndFlags & int.MaxValue;

    /// <summary>
    /// Whether the frame goes on in the next packet: a frame larger than one buffer is a chain of packets, every one
    /// but the last marked so (AF_XDP's XDP_PKT_CONTD, VMXNET3's end-of-packet bit the other way round). A reader
    /// hands out only whole chains; a writer's burst must end with a frame's last packet.
    /// </summary>
    public bool ContinuesInNext => _regionAndFlags < 0;

    /// <summary>The same buffer holding <paramref name="length"/> bytes of data. The writer checks it against the
    /// buffer's capacity when the packet is sent.</summary>
    public Packet WithLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new Packet(Offset, length, _regionAndFlags);
    }

    /// <summary>The same buffer, marked as continuing in the next packet of the frame (or not).</summary>
    public Packet WithContinuation(bool continuesInNext) =>
        new(Offset, Length, continuesInNext ? _regionAndFlags | ContinuationFlag : Region);

    /// <inheritdoc />
    public bool Equals(Packet other) => Offset == other.Offset && Length == other.Length && _regionAndFlags == other._regionAndFlags;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Packet other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Offset, Length, _regionAndFlags);

    /// <summary>Whether two packets name the same buffer, region and length.</summary>
    public static bool operator ==(Packet left, Packet right) => left.Equals(right);

    /// <summary>Whether two packets differ.</summary>
    public static bool operator !=(Packet left, Packet right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => $"packet @{Offset} ({Length} B{(ContinuesInNext ? ", continues" : "")})";
}
