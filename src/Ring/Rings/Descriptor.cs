using System.Runtime.InteropServices;
using Ring.Layout;

namespace Ring.Rings;

/// <summary>
/// A descriptor as it sits in the RX completion and TX rings (<see cref="DescriptorLayout"/>). A value read out
/// of a ring is a private copy: validate it, then use only the copy.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = DescriptorLayout.Length)]
public readonly struct Descriptor
{
    /// <summary>Offset of the buffer from the start of the pool.</summary>
    [FieldOffset(DescriptorLayout.BufferOffsetOffset)] public readonly ulong BufferOffset;
    /// <summary>Bytes of packet data.</summary>
    [FieldOffset(DescriptorLayout.LengthOffset)] public readonly uint Length;
    /// <summary>Flag bits.</summary>
    [FieldOffset(DescriptorLayout.FlagsOffset)] public readonly DescriptorFlags Flags;
    [FieldOffset(DescriptorLayout.ReservedOffset)] private readonly ushort _reserved;

    /// <summary>A descriptor for <paramref name="length"/> bytes at <paramref name="bufferOffset"/>.</summary>
    public Descriptor(ulong bufferOffset, uint length, DescriptorFlags flags)
    {
        BufferOffset = bufferOffset;
        Length = length;
        Flags = flags;
        _reserved = 0;
    }
}
