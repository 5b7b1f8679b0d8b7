namespace Ring.Harness.Net;

/// <summary>
/// Why a guest application sent nothing back for a frame, one value per check, in the order the checks run: the
/// first check a frame fails names it. Counted in <see cref="FrameCounters"/>, never thrown.
/// </summary>
public enum FrameDropReason
{
    /// <summary>Not dropped: the application replied.</summary>
    None = 0,

    /// <summary>Shorter than the 14-byte Ethernet header (or empty).</summary>
    FrameTooShort,
    /// <summary>Unicast to an Ethernet address that is not the application's.</summary>
    NotForThisMac,
    /// <summary>An 802.1Q or 802.1ad tag where the EtherType should be.</summary>
    VlanTagged,
    /// <summary>Neither IPv4 nor ARP (IPv6 and the rest).</summary>
    UnsupportedEtherType,

    /// <summary>Fewer than the 28 bytes of an Ethernet/IPv4 ARP packet after the Ethernet header.</summary>
    ArpTruncated,
    /// <summary>ARP for a hardware or protocol type other than Ethernet and IPv4, or with other address lengths.</summary>
    ArpNotEthernetIpv4,
    /// <summary>An ARP reply, or an operation other than request.</summary>
    ArpNotRequest,
    /// <summary>An ARP request whose target is another IPv4 address.</summary>
    ArpForOtherAddress,

    /// <summary>Fewer than 20 bytes after the Ethernet header, or fewer than the header length says.</summary>
    Ipv4HeaderTruncated,
    /// <summary>Version field other than 4.</summary>
    Ipv4BadVersion,
    /// <summary>Header length (IHL) below 5 words.</summary>
    Ipv4HeaderLengthTooSmall,
    /// <summary>Total length smaller than the header length.</summary>
    Ipv4TotalLengthTooSmall,
    /// <summary>Total length larger than what the frame holds after the Ethernet header.</summary>
    Ipv4TotalLengthExceedsFrame,
    /// <summary>The header checksum does not add up.</summary>
    Ipv4BadChecksum,
    /// <summary>Destination is another IPv4 address.</summary>
    Ipv4ForOtherAddress,
    /// <summary>A fragment (more-fragments flag or an offset): answering would need reassembly.</summary>
    Ipv4Fragment,
    /// <summary>A protocol other than ICMP.</summary>
    Ipv4NotIcmp,

    /// <summary>Fewer than the 8 bytes of an ICMP echo header.</summary>
    IcmpTruncated,
    /// <summary>The ICMP checksum does not add up.</summary>
    IcmpBadChecksum,
    /// <summary>An ICMP message other than echo request (type 8, code 0).</summary>
    IcmpNotEchoRequest,

    /// <summary>The reply does not fit the span given for it.</summary>
    ReplyTooLong,
}
