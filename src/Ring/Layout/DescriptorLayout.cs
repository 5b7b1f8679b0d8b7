namespace Ring.Layout;

/// <summary>
/// The entries of the four rings. A reader finds an entry ready by its generation bit, as VMXNET3's completion
/// descriptors carry theirs: the ring's generation is 1 on its first lap (so zeroed memory reads "not ready") and
/// flips at every wrap; a reader compares the bit with the generation of the lap it reads, and a writer writes
/// the generation of the lap it writes. No shared index crosses between the sides.
/// <code>
/// descriptor (RX completion, TX), 16 bytes:
///   0                               8               12      14      16
///   +-------------------------------+---------------+-------+-------+
///   | buffer offset (u64, from pool)| length (u32)  | flags | rsvd  |
///   +-------------------------------+---------------+-------+-------+
///                                   \_______ control word (u64) ____/
/// buffer entry (RX fill, TX completion), 8 bytes:
///   +---------------------------------------------------------+---+
///   | buffer offset (a multiple of 64)                         | G |   G = generation, bit 0
///   +---------------------------------------------------------+---+
/// </code>
/// </summary>
internal static class DescriptorLayout
{
    /// <summary>u64 offset of the buffer from the start of the pool: the guest-physical-address stand-in.</summary>
    public const int BufferOffsetOffset = 0;
    /// <summary>u32 bytes of packet data in the buffer, at most the buffer size. With the flags it makes the u64
    /// control word, written last, with release, and read first, with acquire.</summary>
    public const int LengthOffset = BufferOffsetOffset + sizeof(ulong);
    /// <summary>u16 <see cref="DescriptorFlags"/>.</summary>
    public const int FlagsOffset = LengthOffset + sizeof(uint);
    /// <summary>u16 reserved, written as zero, ignored by readers.</summary>
    public const int ReservedOffset = FlagsOffset + sizeof(ushort);
    /// <summary>Bytes per descriptor.</summary>
    public const int Length = ReservedOffset + sizeof(ushort);

    /// <summary>Bytes per buffer entry: one u64 buffer offset with the generation in bit 0.</summary>
    public const int BufferEntryLength = sizeof(ulong);

    /// <summary>The generation bit of a buffer entry.</summary>
    public const ulong BufferEntryGeneration = 1;

    /// <summary>The control word: the u64 at <see cref="LengthOffset"/>, the length and the flags.</summary>
    public const int ControlWord = LengthOffset;

    /// <summary>Where the flags start in the control word.</summary>
    public const int FlagsShift = 32;
}
