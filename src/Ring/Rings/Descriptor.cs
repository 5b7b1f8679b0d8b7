using System.Runtime.InteropServices;
using Ring.Layout;

namespace Ring.Rings;

/// <summary>A descriptor as it sits in the RX completion and TX rings (<see cref="DescriptorLayout"/>).</summary>
[StructLayout(LayoutKind.Explicit, Size = DescriptorLayout.Length)]
internal struct Descriptor
{
    /// <summary>Offset of the buffer from the start of the pool. Read only after the control word said "ready".</summary>
    [FieldOffset(DescriptorLayout.BufferOffsetOffset)] public ulong BufferOffset;
    /// <summary>Length (low 32 bits) and flags (the 16 bits above): the word that carries the generation.</summary>
    [FieldOffset(DescriptorLayout.ControlWord)] public ulong Control;

    /// <summary>The control word for <paramref name="length"/> and <paramref name="flags"/>.</summary>
    public static ulong ControlWord(uint length, DescriptorFlags flags) => length | (ulong)flags << DescriptorLayout.FlagsShift;

    /// <summary>The length in a control word.</summary>
    public static uint Length(ulong control) => (uint)control;

    /// <summary>The flags in a control word.</summary>
    public static DescriptorFlags Flags(ulong control) => (DescriptorFlags)(ushort)(control >> DescriptorLayout.FlagsShift);

    /// <summary>END_OF_PACKET in the control word.</summary>
    public const ulong EndOfPacketBit = (ulong)DescriptorFlags.EndOfPacket << DescriptorLayout.FlagsShift;

    /// <summary>The generation bit's position in the control word.</summary>
    public const int GenerationShift = DescriptorLayout.FlagsShift + 15;

    /// <summary>The generation bit in the control word.</summary>
    public const ulong GenerationBit = 1UL << GenerationShift;
}
