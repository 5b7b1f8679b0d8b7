using Ring.Harness.Net;
using Ring.Tests.Support;
using static Ring.Tests.Support.TestFrames;

namespace Ring.Tests;

/// <summary>
/// Our pcap files against programs no one here wrote: tshark reads what <see cref="PcapWriter"/> wrote and decodes
/// its ARP and ICMP frames (with their checksums verified), and <see cref="PcapReader"/> reads what text2pcap and
/// editcap wrote, in microseconds and nanoseconds, and the icmpecho guest answers a capture text2pcap made. The tools
/// come from the tshark package (tests/install-net-tools.sh installs it when missing, as root).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PcapToolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ring-pcap-").FullName;

    [Fact]
    public void TsharkRead_OurCapture_CountsFramesAndDecodesArpAndIcmpWithGoodChecksums()
    {
        var echo = new IcmpEcho(GuestIp, GuestMac);
        byte[] reply = new byte[2000];
        string file = Path.Combine(_dir, "ours.pcap");
        using (var writer = new PcapWriter(file))
        {
            foreach (byte[] request in new[] { ArpRequest(GuestIp), EchoRequest(sequence: 1), EchoRequest(dataLength: 1400, sequence: 2) })
            {
                writer.Write(request);
                int length = echo.Respond(request, reply, out var reason);
                Assert.Equal(FrameDropReason.None, reason);
                writer.Write(reply.AsSpan(0, length));
            }
        }

        var lines = Tshark(file, "frame.protocols", "arp.opcode", "icmp.type", "icmp.seq", "ip.checksum.status", "icmp.checksum.status");

        // ip.checksum.status and icmp.checksum.status: 1 is good (0 bad, 2 unverified).
        Assert.Equal(
        [
            "eth:ethertype:arp|1||||",
            "eth:ethertype:arp|2||||",
            "eth:ethertype:ip:icmp:data||8|1|1|1",
            "eth:ethertype:ip:icmp:data||0|1|1|1",
            "eth:ethertype:ip:icmp:data||8|2|1|1",
            "eth:ethertype:ip:icmp:data||0|2|1|1",
        ], lines);
    }

    [Fact]
    public void TsharkRead_OurCaptureWithCutJumbo_ReportsCapturedAndOriginalLengths()
    {
        string file = Path.Combine(_dir, "cut.pcap");
        using (var writer = new PcapWriter(file, snapLength: 65_535))
            writer.Write(new byte[70_000]);

        Assert.Equal(["65535|70000"], Tshark(file, "frame.cap_len", "frame.len"));
    }

    [Fact]
    public void Read_Text2pcapCapture_YieldsItsFramesAndMicrosecondTimestamps()
    {
        byte[][] frames = [ArpRequest(GuestIp), EchoRequest(sequence: 9)];
        string file = Text2pcap("micro.pcap", "pcap", frames);

        var (read, stamps) = ReadAll(file, out bool nanoseconds);

        Assert.False(nanoseconds);
        Assert.Equal(frames, read);
        Assert.Equal(123_456_000, stamps[0] % 1_000_000_000); // the fraction text2pcap parsed, in nanoseconds
        Assert.Equal(2_000_001_000, stamps[1] - stamps[0]);   // 00:00:01.123456 to 00:00:03.123457
    }

    [Fact]
    public void Read_EditcapNanosecondCapture_YieldsNanosecondTimestamps()
    {
        string micro = Text2pcap("micro.pcap", "pcap", [EchoRequest()]);
        string nano = Path.Combine(_dir, "nano.pcap");
        NetTools.Run("editcap", "-F", "nsecpcap", micro, nano);

        var (read, stamps) = ReadAll(nano, out bool nanoseconds);

        Assert.True(nanoseconds);
        Assert.Equal([EchoRequest()], read);
        Assert.Equal(123_456_000, stamps[0] % 1_000_000_000);
    }

    [Fact]
    public void Read_Text2pcapPcapng_FailsWithOneLineNamingTheFormat()
    {
        string file = Text2pcap("capture.pcapng", "pcapng", [EchoRequest()]);

        var error = Assert.Throws<PcapFormatException>(() => new PcapReader(file));

        Assert.Equal($"{file}: a pcapng file, not classic pcap (convert it: editcap -F pcap IN OUT)", error.Message);
    }

    [Fact]
    public void IcmpEcho_Text2pcapCapture_AnswersRequestsAndCountsTheRest()
    {
        byte[] badChecksum = EchoRequest(sequence: 3);
        badChecksum[^1] ^= 0xFF;
        byte[][] frames =
        [
            ArpRequest(GuestIp), EchoRequest(sequence: 1), EchoRequest(dataLength: 1000, sequence: 2), badChecksum,
            ArpRequest(HostIp), EchoRequest(destination: HostIp),
        ];
        string capture = Text2pcap("replay.pcap", "pcap", frames);
        var echo = new IcmpEcho(GuestIp, GuestMac);
        string replies = Path.Combine(_dir, "replies.pcap");

        using (var reader = new PcapReader(capture))
        using (var writer = new PcapWriter(replies))
        {
            byte[] buffer = new byte[2000];
            while (reader.TryRead(buffer, out var record))
            {
                int length = echo.Respond(buffer.AsSpan(0, record.CapturedLength), buffer, out _);
                if (length > 0)
                    writer.Write(buffer.AsSpan(0, length), record.UnixNanoseconds);
            }
        }

        Assert.Equal(3, echo.Counters.Replied);
        Assert.Equal(1, echo.Counters[FrameDropReason.IcmpBadChecksum]);
        Assert.Equal(1, echo.Counters[FrameDropReason.ArpForOtherAddress]);
        Assert.Equal(1, echo.Counters[FrameDropReason.Ipv4ForOtherAddress]);
        Assert.Equal(["2|", "|0", "|0"], Tshark(replies, "arp.opcode", "icmp.type"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[] Tshark(string file, params string[] fields) => PcapTools.Tshark(file, fields);

    /// <summary>
    /// <paramref name="frames"/> as a text2pcap capture in <paramref name="format"/>, each stamped
    /// 2025-01-01 00:00:0(1+2i).123456+i (local time).
    /// </summary>
    private string Text2pcap(string name, string format, byte[][] frames) =>
        PcapTools.Text2pcap(_dir, name, format, frames, TimeSpan.FromMicroseconds(1_123_456), TimeSpan.FromMicroseconds(2_000_001));

    private static (List<byte[]> Frames, List<long> Stamps) ReadAll(string file, out bool nanoseconds)
    {
        using var reader = new PcapReader(file);
        nanoseconds = reader.NanosecondTimestamps;
        var frames = new List<byte[]>();
        var stamps = new List<long>();
        byte[] buffer = new byte[70_000];
        while (reader.TryRead(buffer, out var record))
        {
            frames.Add(buffer[..record.CapturedLength]);
            stamps.Add(record.UnixNanoseconds);
        }
        return (frames, stamps);
    }
}
