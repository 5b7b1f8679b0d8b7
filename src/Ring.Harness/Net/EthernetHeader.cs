using System.Buffers.Binary;

namespace Ring.Harness.Net;

/// <summary>
/// The Ethernet II header at the start of every frame: named offsets, EtherTypes, and the checks a station makes
/// before it looks at the payload. No preamble and no frame check sequence: a TAP and the ring carry neither.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  Destination address (6 bytes)                |
/// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                               |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
/// |                    Source address (6 bytes)                   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           EtherType           |  payload ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public static class EthernetHeader
{
    /// <summary>Destination address: whom the frame is for.</summary>
    public const int DestinationOffset = 0;
    /// <summary>Source address: who sent it.</summary>
    public const int SourceOffset = DestinationOffset + MacAddress.Length;
    /// <summary>EtherType, big-endian: what the payload is.</summary>
    public const int EtherTypeOffset = SourceOffset + MacAddress.Length;
    /// <summary>Header length; the payload starts here.</summary>
    public const int Length = EtherTypeOffset + sizeof(ushort);

    /// <summary>EtherType of IPv4.</summary>
    public const ushort EtherTypeIpv4 = 0x0800;
    /// <summary>EtherType of ARP.</summary>
    public const ushort EtherTypeArp = 0x0806;
    /// <summary>EtherType of an 802.1Q VLAN tag.</summary>
    public const ushort EtherTypeVlan = 0x8100;
    /// <summary>EtherType of an 802.1ad (QinQ) service tag.</summary>
    public const ushort EtherTypeQinQ = 0x88A8;

    /// <summary>
    /// The station's receive filter and the header checks: <see cref="FrameDropReason.FrameTooShort"/>,
    /// <see cref="FrameDropReason.NotForThisMac"/> (unicast to another address; broadcast and multicast pass),
    /// <see cref="FrameDropReason.VlanTagged"/>. On <see cref="FrameDropReason.None"/>, <paramref name="etherType"/> is the
    /// payload's type.
    /// </summary>
    public static FrameDropReason Check(ReadOnlySpan<byte> frame, MacAddress station, out ushort etherType)
    {
        etherType = 0;
        if (frame.Length < Length)
            return FrameDropReason.FrameTooShort;
        var destination = MacAddress.Read(frame[DestinationOffset..]);
        if (!destination.IsGroup && destination != station)
            return FrameDropReason.NotForThisMac;
        etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[EtherTypeOffset..]);
        return etherType is EtherTypeVlan or EtherTypeQinQ ? FrameDropReason.VlanTagged : FrameDropReason.None;
    }

    /// <summary>Swaps destination and source in place (testpmd's macswap).</summary>
    public static void SwapAddresses(Span<byte> frame)
    {
        var destination = MacAddress.Read(frame[DestinationOffset..]);
        MacAddress.Read(frame[SourceOffset..]).Write(frame[DestinationOffset..]);
        destination.Write(frame[SourceOffset..]);
    }

    /// <summary>Writes a header: <paramref name="destination"/>, <paramref name="source"/>, <paramref name="etherType"/>.</summary>
    public static void Write(Span<byte> frame, MacAddress destination, MacAddress source, ushort etherType)
    {
        destination.Write(frame[DestinationOffset..]);
        source.Write(frame[SourceOffset..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[EtherTypeOffset..], etherType);
    }
}
