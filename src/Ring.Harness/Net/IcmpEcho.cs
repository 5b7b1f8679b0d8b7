namespace Ring.Harness.Net;

/// <summary>
/// A host that only answers: ARP requests for its IPv4 address (a reply from its Ethernet address) and ICMP echo
/// requests addressed to it (an echo reply with the same identifier, sequence number and data, TTL 64, and new IPv4
/// and ICMP checksums). Everything else is dropped and counted by the first check it fails (<see cref="FrameDropReason"/>).
/// </summary>
/// <remarks>
/// The checks run on <c>frame</c>; once they pass, the lengths are kept in locals, the frame is copied to the reply
/// once, and from then on only the reply is read and written. A peer that rewrites the frame after the checks can
/// make a wrong reply, but never a read or write outside the spans.
/// </remarks>
public sealed class IcmpEcho : IGuestApp
{
    private const int ArpFrameLength = EthernetHeader.Length + ArpPacket.Length;

    /// <summary>Answers for <paramref name="address"/> from <paramref name="mac"/>, a unicast Ethernet address.</summary>
    public IcmpEcho(Ipv4Address address, MacAddress mac)
    {
        if (mac.IsGroup)
            throw new ArgumentException($"the guest's MAC address {mac} is a group address; use a unicast one");
        Address = address;
        Mac = mac;
    }

    /// <inheritdoc />
    public string Name => "icmpecho";

    /// <summary>The IPv4 address it answers for.</summary>
    public Ipv4Address Address { get; }

    /// <summary>Its Ethernet address: the source of every reply, and the only unicast destination it accepts.</summary>
    public MacAddress Mac { get; }

    /// <inheritdoc />
    public FrameCounters Counters { get; } = new();

    /// <inheritdoc />
    public int Respond(ReadOnlySpan<byte> frame, Span<byte> reply, out FrameDropReason reason)
    {
        int length = Answer(frame, reply, out reason);
        Counters.Count(reason);
        return length;
    }

    private int Answer(ReadOnlySpan<byte> frame, Span<byte> reply, out FrameDropReason reason)
    {
        reason = EthernetHeader.Check(frame, Mac, out ushort etherType);
        if (reason != FrameDropReason.None)
            return 0;
        switch (etherType)
        {
            case EthernetHeader.EtherTypeArp:
                return AnswerArp(frame, reply, out reason);
            case EthernetHeader.EtherTypeIpv4:
                return AnswerEcho(frame, reply, out reason);
            default:
                reason = FrameDropReason.UnsupportedEtherType;
                return 0;
        }
    }

    private int AnswerArp(ReadOnlySpan<byte> frame, Span<byte> reply, out FrameDropReason reason)
    {
        var arp = frame[EthernetHeader.Length..];
        reason = ArpPacket.Check(arp, out ushort operation);
        if (reason == FrameDropReason.None && operation != ArpPacket.OperationRequest)
            reason = FrameDropReason.ArpNotRequest;
        if (reason == FrameDropReason.None && Ipv4Address.Read(arp[ArpPacket.TargetProtocolOffset..]) != Address)
            reason = FrameDropReason.ArpForOtherAddress;
        if (reason == FrameDropReason.None && reply.Length < ArpFrameLength)
            reason = FrameDropReason.ReplyTooLong;
        if (reason != FrameDropReason.None)
            return 0;

        var askerMac = MacAddress.Read(arp[ArpPacket.SenderHardwareOffset..]);
        var askerIp = Ipv4Address.Read(arp[ArpPacket.SenderProtocolOffset..]);
        EthernetHeader.Write(reply, askerMac, Mac, EthernetHeader.EtherTypeArp);
        ArpPacket.Write(reply[EthernetHeader.Length..], ArpPacket.OperationReply, Mac, Address, askerMac, askerIp);
        return ArpFrameLength;
    }

    private int AnswerEcho(ReadOnlySpan<byte> frame, Span<byte> reply, out FrameDropReason reason)
    {
        var packet = frame[EthernetHeader.Length..];
        reason = Ipv4Header.Check(packet, out int headerLength, out int totalLength);
        if (reason != FrameDropReason.None)
            return 0;
        if (Ipv4Address.Read(packet[Ipv4Header.DestinationOffset..]) != Address)
            reason = FrameDropReason.Ipv4ForOtherAddress;
        else if (Ipv4Header.IsFragment(packet))
            reason = FrameDropReason.Ipv4Fragment;
        else if (packet[Ipv4Header.ProtocolOffset] != Ipv4Header.ProtocolIcmp)
            reason = FrameDropReason.Ipv4NotIcmp;
        else
            reason = IcmpEchoMessage.CheckEchoRequest(packet[headerLength..totalLength]);
        int length = EthernetHeader.Length + totalLength;
        if (reason == FrameDropReason.None && reply.Length < length)
            reason = FrameDropReason.ReplyTooLong;
        if (reason != FrameDropReason.None)
            return 0;

        var peerMac = MacAddress.Read(frame[EthernetHeader.SourceOffset..]);
        var peerIp = Ipv4Address.Read(packet[Ipv4Header.SourceOffset..]);
        frame[..length].CopyTo(reply); // a memmove: nothing moves in place, overlap is safe; the frame is not read again

        EthernetHeader.Write(reply, peerMac, Mac, EthernetHeader.EtherTypeIpv4);
        var ip = reply[EthernetHeader.Length..length];
        Address.Write(ip[Ipv4Header.SourceOffset..]);
        peerIp.Write(ip[Ipv4Header.DestinationOffset..]);
        ip[Ipv4Header.TimeToLiveOffset] = Ipv4Header.DefaultTimeToLive;
        Ipv4Header.WriteChecksum(ip, headerLength);
        var icmp = ip[headerLength..];
        icmp[IcmpEchoMessage.TypeOffset] = IcmpEchoMessage.TypeEchoReply;
        IcmpEchoMessage.WriteChecksum(icmp);
        return length;
    }
}
