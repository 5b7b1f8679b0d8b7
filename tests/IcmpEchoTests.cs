using System.Buffers.Binary;
using Ring.Harness.Net;
using static Ring.Tests.Support.TestFrames;

namespace Ring.Tests;

/// <summary>
/// The icmpecho guest application on hand-built frames: the ARP and echo replies field by field, a reply built in
/// place over the request and in an overlapping span, and every malformed or foreign frame dropped with its exact
/// reason and counted. Nothing here needs a network: see <see cref="TapNamespaceTests"/> for the kernel's view.
/// </summary>
public sealed class IcmpEchoTests
{
    private readonly IcmpEcho _echo = new(GuestIp, GuestMac);
    private readonly byte[] _reply = new byte[9100];

    [Fact]
    public void Respond_ArpRequestForItsAddress_RepliesFromItsMac()
    {
        byte[] request = ArpRequest(GuestIp);

        int length = _echo.Respond(request, _reply, out var reason);

        Assert.Equal(FrameDropReason.None, reason);
        Assert.Equal(42, length);
        byte[] expected =
        [
            .. Mac(HostMac), .. Mac(GuestMac), 0x08, 0x06,
            0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x02,
            .. Mac(GuestMac), .. Ip(GuestIp),
            .. Mac(HostMac), .. Ip(HostIp),
        ];
        Assert.Equal(expected, _reply[..length]);
        Assert.Equal(1, _echo.Counters.Replied);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(56, 0)]
    [InlineData(57, 0)]
    [InlineData(1472, 0)]
    [InlineData(8000, 0)]
    [InlineData(56, 2)]
    public void Respond_EchoRequest_RepliesWithSwappedAddressesTtl64AndRightChecksums(int dataLength, int optionWords)
    {
        byte[] request = EchoRequest(dataLength, identifier: 0xABCD, sequence: 7, optionWords: optionWords);
        request[14 + 8] = 3; // a TTL the reply must not keep
        FixIpChecksum(request);

        int length = _echo.Respond(request, _reply, out var reason);

        Assert.Equal(FrameDropReason.None, reason);
        Assert.Equal(request.Length, length);
        AssertEchoReply(request, _reply.AsSpan(0, length));
    }

    [Fact]
    public void Respond_EchoRequestWithEthernetPadding_RepliesWithoutThePadding()
    {
        byte[] request = EchoRequest(dataLength: 4, padding: 14); // 46-byte frame padded to 60 on the wire

        int length = _echo.Respond(request, _reply, out var reason);

        Assert.Equal(FrameDropReason.None, reason);
        Assert.Equal(request.Length - 14, length);
        AssertEchoReply(request.AsSpan(0, length).ToArray(), _reply.AsSpan(0, length));
    }

    [Fact]
    public void Respond_ReplyIsTheRequestBuffer_BuildsTheReplyInPlace()
    {
        byte[] request = EchoRequest(dataLength: 100);
        byte[] buffer = (byte[])request.Clone();

        int length = _echo.Respond(buffer, buffer, out var reason);

        Assert.Equal(FrameDropReason.None, reason);
        AssertEchoReply(request, buffer.AsSpan(0, length));

        byte[] arp = ArpRequest(GuestIp);
        byte[] expected = new byte[42];
        Assert.Equal(42, _echo.Respond(arp, expected, out _));
        Assert.Equal(42, _echo.Respond(arp, arp, out _));
        Assert.Equal(expected, arp);
    }

    [Theory]
    [InlineData(-7)]
    [InlineData(5)]
    public void Respond_ReplyOverlapsTheRequest_BuildsTheSameReply(int shift)
    {
        byte[] request = EchoRequest(dataLength: 64);
        byte[] buffer = new byte[request.Length + 16];
        request.CopyTo(buffer, 8);

        int length = _echo.Respond(buffer.AsSpan(8, request.Length), buffer.AsSpan(8 + shift), out var reason);

        Assert.Equal(FrameDropReason.None, reason);
        AssertEchoReply(request, buffer.AsSpan(8 + shift, length));
    }

    public static TheoryData<string, FrameDropReason> Malformed() => new()
    {
        { "empty", FrameDropReason.FrameTooShort },
        { "13 bytes", FrameDropReason.FrameTooShort },
        { "unicast to another MAC", FrameDropReason.NotForThisMac },
        { "802.1Q tag", FrameDropReason.VlanTagged },
        { "802.1ad tag", FrameDropReason.VlanTagged },
        { "IPv6", FrameDropReason.UnsupportedEtherType },
        { "ARP of 27 bytes", FrameDropReason.ArpTruncated },
        { "ARP hardware type 6", FrameDropReason.ArpNotEthernetIpv4 },
        { "ARP protocol IPv6", FrameDropReason.ArpNotEthernetIpv4 },
        { "ARP hardware length 8", FrameDropReason.ArpNotEthernetIpv4 },
        { "ARP reply", FrameDropReason.ArpNotRequest },
        { "ARP for another address", FrameDropReason.ArpForOtherAddress },
        { "IP header of 19 bytes", FrameDropReason.Ipv4HeaderTruncated },
        { "IHL 6 with 20 bytes", FrameDropReason.Ipv4HeaderTruncated },
        { "IPv6 version in IPv4 EtherType", FrameDropReason.Ipv4BadVersion },
        { "IHL 4", FrameDropReason.Ipv4HeaderLengthTooSmall },
        { "total length 19", FrameDropReason.Ipv4TotalLengthTooSmall },
        { "total length past the frame", FrameDropReason.Ipv4TotalLengthExceedsFrame },
        { "bad IP checksum", FrameDropReason.Ipv4BadChecksum },
        { "IP to another address", FrameDropReason.Ipv4ForOtherAddress },
        { "more fragments", FrameDropReason.Ipv4Fragment },
        { "fragment offset", FrameDropReason.Ipv4Fragment },
        { "UDP", FrameDropReason.Ipv4NotIcmp },
        { "ICMP of 7 bytes", FrameDropReason.IcmpTruncated },
        { "bad ICMP checksum", FrameDropReason.IcmpBadChecksum },
        { "echo reply", FrameDropReason.IcmpNotEchoRequest },
        { "echo request code 1", FrameDropReason.IcmpNotEchoRequest },
        { "reply span too short", FrameDropReason.ReplyTooLong },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Respond_MalformedOrForeignFrame_DropsWithReasonAndCounts(string name, FrameDropReason expected)
    {
        var (frame, replyLength) = Build(name);

        int length = _echo.Respond(frame, _reply.AsSpan(0, replyLength), out var reason);

        Assert.Equal(expected, reason);
        Assert.Equal(0, length);
        Assert.Equal(1, _echo.Counters[expected]);
        Assert.Equal(1, _echo.Counters.Dropped);
        Assert.Equal(0, _echo.Counters.Replied);
        Assert.Contains($"{expected} 1", _echo.Counters.ToString());
    }

    [Fact]
    public void Respond_BroadcastEchoRequestToItsAddress_Replies()
    {
        byte[] request = EchoRequest(destinationMac: MacAddress.Broadcast);

        Assert.True(_echo.Respond(request, _reply, out var reason) > 0, $"dropped: {reason}");
    }

    [Fact]
    public void Respond_ThousandsOfFrames_AllocatesNothing()
    {
        byte[] echo = EchoRequest(dataLength: 1000);
        byte[] arp = ArpRequest(GuestIp);
        byte[] bad = EchoRequest(destination: HostIp);
        for (int i = 0; i < 100; i++)
            _echo.Respond(echo, _reply, out _); // JIT and tiering first

        long before = GC.GetAllocatedBytesForCurrentThread(); // this thread's only: other tests run beside it
        for (int i = 0; i < 10_000; i++)
        {
            _echo.Respond(echo, _reply, out _);
            _echo.Respond(arp, _reply, out _);
            _echo.Respond(bad, _reply, out _);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(20_100, _echo.Counters.Replied);
        Assert.Equal(10_000, _echo.Counters[FrameDropReason.Ipv4ForOtherAddress]);
    }

    [Fact]
    public void Constructor_GroupMac_Throws() =>
        Assert.Throws<ArgumentException>(() => new IcmpEcho(GuestIp, MacAddress.Broadcast));

    /// <summary>The frame for one named malformed case, and the reply span's length to offer.</summary>
    private static (byte[] Frame, int ReplyLength) Build(string name)
    {
        byte[] arp = ArpRequest(GuestIp);
        byte[] echo = EchoRequest();
        switch (name)
        {
            case "empty": return ([], 100);
            case "13 bytes": return (echo[..13], 100);
            case "unicast to another MAC": return (EchoRequest(destinationMac: HostMac), 100);
            case "802.1Q tag": echo[12] = 0x81; echo[13] = 0x00; return (echo, 100);
            case "802.1ad tag": echo[12] = 0x88; echo[13] = 0xA8; return (echo, 100);
            case "IPv6": echo[12] = 0x86; echo[13] = 0xDD; return (echo, 100);
            case "ARP of 27 bytes": return (arp[..(14 + 27)], 100);
            case "ARP hardware type 6": arp[15] = 6; return (arp, 100);
            case "ARP protocol IPv6": arp[16] = 0x86; arp[17] = 0xDD; return (arp, 100);
            case "ARP hardware length 8": arp[18] = 8; return (arp, 100);
            case "ARP reply": arp[21] = 2; return (arp, 100);
            case "ARP for another address": return (ArpRequest(Ipv4Address.Parse("10.77.0.3")), 100);
            case "IP header of 19 bytes": return (echo[..(14 + 19)], 100);
            case "IHL 6 with 20 bytes": echo[14] = 0x46; return (echo[..(14 + 20)], 100);
            case "IPv6 version in IPv4 EtherType": echo[14] = 0x65; return (echo, 100);
            case "IHL 4": echo[14] = 0x44; return (echo, 100);
            case "total length 19": return (SetTotalLength(echo, 19), 100);
            case "total length past the frame": return (SetTotalLength(echo, (ushort)(echo.Length - 14 + 1)), 200);
            case "bad IP checksum": echo[14 + 10] ^= 0x40; return (echo, 100);
            case "IP to another address": return (EchoRequest(destination: Ipv4Address.Parse("10.77.0.3")), 100);
            case "more fragments": echo[14 + 6] = 0x20; return (FixIpChecksum(echo), 100);
            case "fragment offset": echo[14 + 6] = 0x40; echo[14 + 7] = 0x01; return (FixIpChecksum(echo), 100);
            case "UDP": echo[14 + 9] = 17; return (FixIpChecksum(echo), 100);
            case "ICMP of 7 bytes": return (SetTotalLength(echo[..(14 + 20 + 7)], 27), 100);
            case "bad ICMP checksum": echo[^1] ^= 0x01; return (echo, 100);
            case "echo reply": echo[14 + 20] = 0; return (FixIcmpChecksum(echo), 100);
            case "echo request code 1": echo[14 + 20 + 1] = 1; return (FixIcmpChecksum(echo), 100);
            case "reply span too short": return (echo, echo.Length - 1);
            default: throw new ArgumentException(name);
        }
    }

    private static byte[] SetTotalLength(byte[] frame, ushort total)
    {
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), total);
        return FixIpChecksum(frame);
    }

    /// <summary>Checks <paramref name="reply"/> against <paramref name="request"/> field by field, and both checksums.</summary>
    private static void AssertEchoReply(byte[] request, ReadOnlySpan<byte> reply)
    {
        Assert.Equal(request.Length, reply.Length);
        Assert.Equal(Mac(HostMac), reply[..6].ToArray());
        Assert.Equal(Mac(GuestMac), reply[6..12].ToArray());
        Assert.Equal(request[12..14], reply[12..14].ToArray());

        int header = (request[14] & 0x0F) * 4;
        var ip = reply[14..(14 + header)];
        Assert.Equal(request[14..22], ip[..8].ToArray()); // version, IHL, TOS, total length, id, flags
        Assert.Equal(64, ip[8]);
        Assert.Equal(1, ip[9]);
        Assert.Equal(Ip(GuestIp), ip[12..16].ToArray());
        Assert.Equal(Ip(HostIp), ip[16..20].ToArray());
        Assert.Equal(request[(14 + 20)..(14 + header)], ip[20..].ToArray()); // options kept
        Assert.True(InternetChecksum.IsValid(ip), "IPv4 header checksum");

        var icmp = reply[(14 + header)..];
        Assert.Equal(0, icmp[0]);
        Assert.Equal(0, icmp[1]);
        Assert.Equal(request[(14 + header + 4)..], icmp[4..].ToArray()); // identifier, sequence, data
        Assert.True(InternetChecksum.IsValid(icmp), "ICMP checksum");
    }
}
