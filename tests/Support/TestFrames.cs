using System.Buffers.Binary;
using Ring.Harness.Net;

namespace Ring.Tests.Support;

/// <summary>
/// Hand-built Ethernet frames for the network tests: ARP requests and ICMP echo requests between a host
/// (10.77.0.1) and the guest (10.77.0.2), written field by field from the RFCs so that they do not lean on the code
/// under test, except for the checksum, which has its own tests on published vectors.
/// </summary>
internal static class TestFrames
{
    public static readonly MacAddress GuestMac = MacAddress.Parse("02:52:49:4e:47:02");
    public static readonly MacAddress HostMac = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly Ipv4Address GuestIp = Ipv4Address.Parse("10.77.0.2");
    public static readonly Ipv4Address HostIp = Ipv4Address.Parse("10.77.0.1");

    /// <summary>A broadcast ARP request from the host: who has <paramref name="target"/>?</summary>
    public static byte[] ArpRequest(Ipv4Address target)
    {
        byte[] frame = new byte[42];
        WriteEthernet(frame, MacAddress.Broadcast, HostMac, 0x0806);
        byte[] arp =
        [
            0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
            .. Mac(HostMac), .. Ip(HostIp),
            0, 0, 0, 0, 0, 0, .. Ip(target),
        ];
        arp.CopyTo(frame, 14);
        return frame;
    }

    /// <summary>
    /// An ICMP echo request from <paramref name="source"/> and <paramref name="sourceMac"/> (default: the host) to
    /// <paramref name="destination"/> and <paramref name="destinationMac"/> (default: the guest), with <paramref name="dataLength"/> bytes of data
    /// (a counting pattern), <paramref name="optionWords"/> 32-bit words of IP options (NOPs), TTL 64, DF set.
    /// </summary>
    public static byte[] EchoRequest(int dataLength = 56, ushort identifier = 0x1234, ushort sequence = 1,
        Ipv4Address? destination = null, MacAddress? destinationMac = null, int optionWords = 0, int padding = 0,
        Ipv4Address? source = null, MacAddress? sourceMac = null)
    {
        int header = 20 + 4 * optionWords;
        int icmpLength = 8 + dataLength;
        byte[] frame = new byte[14 + header + icmpLength + padding];
        WriteEthernet(frame, destinationMac ?? GuestMac, sourceMac ?? HostMac, 0x0800);

        var ip = frame.AsSpan(14, header);
        ip[0] = (byte)(0x40 | (header / 4));
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(header + icmpLength));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0xBEEF);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000);
        ip[8] = 64;
        ip[9] = 1;
        Ip(source ?? HostIp).CopyTo(ip[12..]);
        Ip(destination ?? GuestIp).CopyTo(ip[16..]);
        ip[20..].Fill(1); // NOP options
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));

        var icmp = frame.AsSpan(14 + header, icmpLength);
        icmp[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], identifier);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], sequence);
        for (int i = 0; i < dataLength; i++)
            icmp[8 + i] = (byte)i;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Compute(icmp));
        return frame;
    }

    /// <summary>Rewrites the IPv4 header checksum of <paramref name="frame"/> after a test changed a header field.</summary>
    public static byte[] FixIpChecksum(byte[] frame)
    {
        int header = (frame[14] & 0x0F) * 4;
        var ip = frame.AsSpan(14, header);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));
        return frame;
    }

    /// <summary>Rewrites the ICMP checksum of <paramref name="frame"/> after a test changed the message.</summary>
    public static byte[] FixIcmpChecksum(byte[] frame)
    {
        int header = (frame[14] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(16));
        var icmp = frame.AsSpan(14 + header, total - header);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Compute(icmp));
        return frame;
    }

    public static byte[] Mac(MacAddress mac)
    {
        byte[] bytes = new byte[6];
        mac.Write(bytes);
        return bytes;
    }

    public static byte[] Ip(Ipv4Address address)
    {
        byte[] bytes = new byte[4];
        address.Write(bytes);
        return bytes;
    }

    private static void WriteEthernet(byte[] frame, MacAddress destination, MacAddress source, ushort etherType)
    {
        Mac(destination).CopyTo(frame, 0);
        Mac(source).CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
    }
}
