using System.Buffers.Binary;

namespace Ring.Harness.Net;

/// <summary>
/// An ARP packet for IPv4 over Ethernet (RFC 826), the 28 bytes after the Ethernet header; offsets are from the
/// start of the ARP packet.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |       Hardware type (1)       |    Protocol type (0x0800)     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  HW length 6  | Proto length 4|  Operation (1 req, 2 reply)   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 Sender hardware address (6 bytes)             |
/// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                               |  Sender protocol address (4)  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                               |  Target hardware address (6)  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |              Target protocol address (4 bytes)                |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public static class ArpPacket
{
    /// <summary>Hardware type, big-endian: 1 for Ethernet.</summary>
    public const int HardwareTypeOffset = 0;
    /// <summary>Protocol type, big-endian: an EtherType, 0x0800 for IPv4.</summary>
    public const int ProtocolTypeOffset = HardwareTypeOffset + sizeof(ushort);
    /// <summary>Hardware address length: 6 for Ethernet.</summary>
    public const int HardwareLengthOffset = ProtocolTypeOffset + sizeof(ushort);
    /// <summary>Protocol address length: 4 for IPv4.</summary>
    public const int ProtocolLengthOffset = HardwareLengthOffset + sizeof(byte);
    /// <summary>Operation, big-endian: <see cref="OperationRequest"/> or <see cref="OperationReply"/>.</summary>
    public const int OperationOffset = ProtocolLengthOffset + sizeof(byte);
    /// <summary>Sender's Ethernet address.</summary>
    public const int SenderHardwareOffset = OperationOffset + sizeof(ushort);
    /// <summary>Sender's IPv4 address.</summary>
    public const int SenderProtocolOffset = SenderHardwareOffset + MacAddress.Length;
    /// <summary>Target's Ethernet address (zero in a request).</summary>
    public const int TargetHardwareOffset = SenderProtocolOffset + Ipv4Address.Length;
    /// <summary>Target's IPv4 address: whose Ethernet address is asked for.</summary>
    public const int TargetProtocolOffset = TargetHardwareOffset + MacAddress.Length;
    /// <summary>Length of an Ethernet/IPv4 ARP packet.</summary>
    public const int Length = TargetProtocolOffset + Ipv4Address.Length;

    /// <summary>Hardware type of Ethernet.</summary>
    public const ushort HardwareTypeEthernet = 1;
    /// <summary>Operation: who has the target protocol address?</summary>
    public const ushort OperationRequest = 1;
    /// <summary>Operation: the sender has it.</summary>
    public const ushort OperationReply = 2;

    /// <summary>
    /// Checks that <paramref name="packet"/> (from the ARP header on) is a whole Ethernet/IPv4 ARP packet:
    /// <see cref="FrameDropReason.ArpTruncated"/> or <see cref="FrameDropReason.ArpNotEthernetIpv4"/>. On
    /// <see cref="FrameDropReason.None"/>, <paramref name="operation"/> is its operation.
    /// </summary>
    public static FrameDropReason Check(ReadOnlySpan<byte> packet, out ushort operation)
    {
        operation = 0;
        if (packet.Length < Length)
            return FrameDropReason.ArpTruncated;
        if (BinaryPrimitives.ReadUInt16BigEndian(packet[HardwareTypeOffset..]) != HardwareTypeEthernet
            || BinaryPrimitives.ReadUInt16BigEndian(packet[ProtocolTypeOffset..]) != EthernetHeader.EtherTypeIpv4
            || packet[HardwareLengthOffset] != MacAddress.Length
            || packet[ProtocolLengthOffset] != Ipv4Address.Length)
            return FrameDropReason.ArpNotEthernetIpv4;
        operation = BinaryPrimitives.ReadUInt16BigEndian(packet[OperationOffset..]);
        return FrameDropReason.None;
    }

    /// <summary>Writes a whole Ethernet/IPv4 ARP packet at the start of <paramref name="packet"/>.</summary>
    public static void Write(Span<byte> packet, ushort operation, MacAddress senderMac, Ipv4Address senderIp,
        MacAddress targetMac, Ipv4Address targetIp)
    {
        BinaryPrimitives.WriteUInt16BigEndian(packet[HardwareTypeOffset..], HardwareTypeEthernet);
        BinaryPrimitives.WriteUInt16BigEndian(packet[ProtocolTypeOffset..], EthernetHeader.EtherTypeIpv4);
        packet[HardwareLengthOffset] = MacAddress.Length;
        packet[ProtocolLengthOffset] = Ipv4Address.Length;
        BinaryPrimitives.WriteUInt16BigEndian(packet[OperationOffset..], operation);
        senderMac.Write(packet[SenderHardwareOffset..]);
        senderIp.Write(packet[SenderProtocolOffset..]);
        targetMac.Write(packet[TargetHardwareOffset..]);
        targetIp.Write(packet[TargetProtocolOffset..]);
    }
}
