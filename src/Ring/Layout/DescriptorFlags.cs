namespace Ring.Layout;

/// <summary>Descriptor flag bits (u16).</summary>
[Flags]
public enum DescriptorFlags : ushort
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>Last descriptor of a packet. Every descriptor carries it until chained buffers are negotiated.</summary>
    EndOfPacket = 1,
}
