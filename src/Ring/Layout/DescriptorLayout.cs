namespace Ring.Layout;

/// <summary>
/// A 16-byte descriptor, the entry of the RX completion and TX rings.
/// <code>
///   0                               8               12      14      16
///   +-------------------------------+---------------+-------+-------+
///   | buffer offset (u64, from pool)| length (u32)  | flags | rsvd  |
///   +-------------------------------+---------------+-------+-------+
/// </code>
/// </summary>
public static class DescriptorLayout
{
    /// <summary>u64 offset of the buffer from the start of the pool: the guest-physical-address stand-in.</summary>
    public const int BufferOffsetOffset = 0;
    /// <summary>u32 bytes of packet data in the buffer, at most the buffer size.</summary>
    public const int LengthOffset = BufferOffsetOffset + sizeof(ulong);
    /// <summary>u16 <see cref="DescriptorFlags"/>.</summary>
    public const int FlagsOffset = LengthOffset + sizeof(uint);
    /// <summary>u16 reserved, zero.</summary>
    public const int ReservedOffset = FlagsOffset + sizeof(ushort);
    /// <summary>Bytes per descriptor.</summary>
    public const int Length = ReservedOffset + sizeof(ushort);

    /// <summary>Bytes per fill or TX completion entry: one u64 buffer offset.</summary>
    public const int OffsetEntryLength = sizeof(ulong);
}
