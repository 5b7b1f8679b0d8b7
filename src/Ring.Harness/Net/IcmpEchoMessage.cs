using System.Buffers.Binary;

namespace Ring.Harness.Net;

/// <summary>
/// An ICMP echo request or reply (RFC 792) after the IPv4 header; offsets are from the start of the ICMP message.
/// The checksum covers the whole message: header and data.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Type (8 / 0) |    Code (0)   |           Checksum            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Identifier          |        Sequence Number        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Data ...
/// +-+-+-+-+-
/// </code>
/// </summary>
public static class IcmpEchoMessage
{
    /// <summary>Message type: <see cref="TypeEchoRequest"/> or <see cref="TypeEchoReply"/>.</summary>
    public const int TypeOffset = 0;
    /// <summary>Code: 0 for echo.</summary>
    public const int CodeOffset = TypeOffset + sizeof(byte);
    /// <summary>Checksum, big-endian: <see cref="InternetChecksum"/> over the whole message.</summary>
    public const int ChecksumOffset = CodeOffset + sizeof(byte);
    /// <summary>Identifier, big-endian: the reply carries the request's.</summary>
    public const int IdentifierOffset = ChecksumOffset + sizeof(ushort);
    /// <summary>Sequence number, big-endian: the reply carries the request's.</summary>
    public const int SequenceOffset = IdentifierOffset + sizeof(ushort);
    /// <summary>Length of the echo header; the data follows.</summary>
    public const int HeaderLength = SequenceOffset + sizeof(ushort);

    /// <summary>Type of an echo reply.</summary>
    public const byte TypeEchoReply = 0;
    /// <summary>Type of an echo request.</summary>
    public const byte TypeEchoRequest = 8;

    /// <summary>
    /// Checks that <paramref name="message"/> (exactly the ICMP message: the IP payload, without Ethernet padding)
    /// is an echo request with a right checksum: <see cref="FrameDropReason.IcmpTruncated"/>,
    /// <see cref="FrameDropReason.IcmpBadChecksum"/>, <see cref="FrameDropReason.IcmpNotEchoRequest"/>.
    /// </summary>
    public static FrameDropReason CheckEchoRequest(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderLength)
            return FrameDropReason.IcmpTruncated;
        if (!InternetChecksum.IsValid(message))
            return FrameDropReason.IcmpBadChecksum;
        return message[TypeOffset] == TypeEchoRequest && message[CodeOffset] == 0 ? FrameDropReason.None : FrameDropReason.IcmpNotEchoRequest;
    }

    /// <summary>Zeroes the checksum field of <paramref name="message"/> and writes the right one.</summary>
    public static void WriteChecksum(Span<byte> message)
    {
        BinaryPrimitives.WriteUInt16BigEndian(message[ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(message[ChecksumOffset..], InternetChecksum.Compute(message));
    }
}
