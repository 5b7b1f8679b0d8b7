using System.Buffers.Binary;

namespace Ring.Harness.Net;

/// <summary>
/// The IPv4 header (RFC 791) after the Ethernet header; offsets are from the start of the IP header.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version|  IHL  |Type of Service|          Total Length         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Identification        |Flags|      Fragment Offset    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Time to Live |    Protocol   |         Header Checksum       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       Source Address                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Destination Address                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Options (IHL > 5) ...                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public static class Ipv4Header
{
    /// <summary>Version (high nibble, 4) and header length in 32-bit words (low nibble, IHL, at least 5).</summary>
    public const int VersionAndLengthOffset = 0;
    /// <summary>Type of service (DSCP and ECN).</summary>
    public const int TypeOfServiceOffset = VersionAndLengthOffset + sizeof(byte);
    /// <summary>Total length, big-endian: header and payload, without Ethernet padding.</summary>
    public const int TotalLengthOffset = TypeOfServiceOffset + sizeof(byte);
    /// <summary>Identification, big-endian.</summary>
    public const int IdentificationOffset = TotalLengthOffset + sizeof(ushort);
    /// <summary>Flags (top 3 bits) and fragment offset (low 13 bits, in 8-byte units), big-endian.</summary>
    public const int FragmentOffset = IdentificationOffset + sizeof(ushort);
    /// <summary>Time to live.</summary>
    public const int TimeToLiveOffset = FragmentOffset + sizeof(ushort);
    /// <summary>Payload protocol: <see cref="ProtocolIcmp"/>, 6 TCP, 17 UDP.</summary>
    public const int ProtocolOffset = TimeToLiveOffset + sizeof(byte);
    /// <summary>Header checksum, big-endian: <see cref="InternetChecksum"/> over the header alone.</summary>
    public const int ChecksumOffset = ProtocolOffset + sizeof(byte);
    /// <summary>Source address.</summary>
    public const int SourceOffset = ChecksumOffset + sizeof(ushort);
    /// <summary>Destination address.</summary>
    public const int DestinationOffset = SourceOffset + Ipv4Address.Length;
    /// <summary>Length of a header without options (IHL 5).</summary>
    public const int MinLength = DestinationOffset + Ipv4Address.Length;

    /// <summary>Protocol number of ICMP.</summary>
    public const byte ProtocolIcmp = 1;
    /// <summary>The more-fragments flag in the word at <see cref="FragmentOffset"/>.</summary>
    public const ushort MoreFragmentsFlag = 0x2000;
    /// <summary>The fragment offset bits in the word at <see cref="FragmentOffset"/>.</summary>
    public const ushort FragmentOffsetMask = 0x1FFF;
    /// <summary>The TTL a host puts on what it sends (Linux's default).</summary>
    public const byte DefaultTimeToLive = 64;

    /// <summary>
    /// Checks that <paramref name="packet"/> (from the IP header to the end of the frame) holds a whole, well-formed
    /// IPv4 header with a right checksum and the total length it claims, in this order:
    /// <see cref="FrameDropReason.Ipv4HeaderTruncated"/> (under 20 bytes), <see cref="FrameDropReason.Ipv4BadVersion"/>,
    /// <see cref="FrameDropReason.Ipv4HeaderLengthTooSmall"/>, <see cref="FrameDropReason.Ipv4HeaderTruncated"/> (under IHL
    /// words), <see cref="FrameDropReason.Ipv4TotalLengthTooSmall"/>, <see cref="FrameDropReason.Ipv4TotalLengthExceedsFrame"/>,
    /// <see cref="FrameDropReason.Ipv4BadChecksum"/>. On <see cref="FrameDropReason.None"/>, the lengths are in bytes and
    /// <c>headerLength &lt;= totalLength &lt;= packet.Length</c>; bytes past the total length are Ethernet padding.
    /// </summary>
    public static FrameDropReason Check(ReadOnlySpan<byte> packet, out int headerLength, out int totalLength)
    {
        headerLength = 0;
        totalLength = 0;
        if (packet.Length < MinLength)
            return FrameDropReason.Ipv4HeaderTruncated;
        byte versionAndLength = packet[VersionAndLengthOffset];
        if (versionAndLength >> 4 != 4)
            return FrameDropReason.Ipv4BadVersion;
        int header = (versionAndLength & 0x0F) * 4;
        if (header < MinLength)
            return FrameDropReason.Ipv4HeaderLengthTooSmall;
        if (header > packet.Length)
            return FrameDropReason.Ipv4HeaderTruncated;
        int total = BinaryPrimitives.ReadUInt16BigEndian(packet[TotalLengthOffset..]);
        if (total < header)
            return FrameDropReason.Ipv4TotalLengthTooSmall;
        if (total > packet.Length)
            return FrameDropReason.Ipv4TotalLengthExceedsFrame;
        if (!InternetChecksum.IsValid(packet[..header]))
            return FrameDropReason.Ipv4BadChecksum;
        headerLength = header;
        totalLength = total;
        return FrameDropReason.None;
    }

    /// <summary>Whether the header at the start of <paramref name="packet"/> is a fragment (more to come, or not the first).</summary>
    public static bool IsFragment(ReadOnlySpan<byte> packet) =>
        (BinaryPrimitives.ReadUInt16BigEndian(packet[FragmentOffset..]) & (MoreFragmentsFlag | FragmentOffsetMask)) != 0;

    /// <summary>Zeroes the checksum field of the <paramref name="headerLength"/>-byte header and writes the right one.</summary>
    public static void WriteChecksum(Span<byte> packet, int headerLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(packet[ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(packet[ChecksumOffset..], InternetChecksum.Compute(packet[..headerLength]));
    }
}
