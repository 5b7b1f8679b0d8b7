namespace Ring.Layout;

/// <summary>Descriptor flag bits (u16).</summary>
[Flags]
internal enum DescriptorFlags : ushort
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>Last descriptor of a packet. Every descriptor carries it until chained buffers are negotiated.</summary>
    EndOfPacket = 1,
    /// <summary>The ring generation this descriptor was written in (see <see cref="DescriptorLayout"/>).</summary>
    Generation = 1 << 15,
}
