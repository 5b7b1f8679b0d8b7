using System.Buffers.Binary;
using Ring.Harness.Hosting;
using Ring.Harness.Net;
using Ring.Tests.Support;
using Xunit.Abstractions;
using static Ring.Tests.Support.TestFrames;

namespace Ring.Tests;

/// <summary>
/// The pcap uplink through the real binaries: the Producer replays a capture that text2pcap made (not our writer)
/// into the Consumer, whose <c>--pcap-out</c> tshark then reads; icmpecho answers the good frames and counts every
/// bad one by reason; io and macswap answer them all; the recorded pace keeps the capture's gaps; a bad capture,
/// or one with frames longer than the guest's buffers, fails with one line.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PcapUplinkTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly ProgramRunner _runner = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("ring-replay-").FullName;

    /// <summary>Three frames icmpecho answers, then one of each kind it must drop, in that order.</summary>
    private static byte[][] Frames()
    {
        byte[] truncatedIp = EchoRequest()[..(14 + 10)];
        byte[] badIpChecksum = EchoRequest(sequence: 4);
        badIpChecksum[14 + 10] ^= 0xFF;
        byte[] badIcmpChecksum = EchoRequest(sequence: 5);
        badIcmpChecksum[^1] ^= 0xFF;
        return
        [
            ArpRequest(GuestIp), EchoRequest(sequence: 1), EchoRequest(dataLength: 1400, sequence: 2),
            new byte[10], truncatedIp, badIpChecksum, badIcmpChecksum, ArpRequest(HostIp),
        ];
    }

    [Fact]
    public void Replay_Text2pcapCaptureTwiceIntoIcmpEcho_AnswersTheGoodFramesCountsTheBadAndCapturesThemAll()
    {
        byte[][] frames = Frames();
        string capture = PcapTools.Text2pcap(_dir, "in.pcap", "pcap", frames, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        string received = Path.Combine(_dir, "received.pcap");

        var (guest, device) = RunPair(["--app", "icmpecho", "--ip", GuestIp.ToString(), "--pcap-out", received],
            ["--uplink", $"pcap:{capture}", "--loop", "2", "--pace", "max"]);

        Assert.Equal(16, device.Replayed);
        Assert.Equal(16UL, guest.Received);
        Assert.Equal(6, guest.Replied);
        Assert.Equal(new Dictionary<string, long>
        {
            ["FrameTooShort"] = 2, ["Ipv4HeaderTruncated"] = 2, ["Ipv4BadChecksum"] = 2, ["IcmpBadChecksum"] = 2,
            ["ArpForOtherAddress"] = 2,
        }, guest.AppDrops);
        Assert.Equal(6UL, device.Received); // the replies came back on TX

        // What the guest received is the capture, twice over, byte for byte; and tshark decodes it.
        Assert.Equal([.. frames, .. frames], ReadFrames(received));
        string[] decoded = PcapTools.Tshark(received, "frame.len", "frame.protocols", "arp.opcode", "icmp.seq");
        Assert.Equal(16, decoded.Length);
        Assert.Equal(["42|eth:ethertype:arp|1|", "98|eth:ethertype:ip:icmp:data||1", "1442|eth:ethertype:ip:icmp:data||2"], decoded[..3]);
    }

    [Theory]
    [InlineData("io")]
    [InlineData("macswap")]
    public void Replay_IntoAForwardingApp_EveryFrameGoesBack(string app)
    {
        byte[][] frames = Frames()[..3];
        string capture = PcapTools.Text2pcap(_dir, "in.pcap", "pcap", frames, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));

        var (guest, device) = RunPair(["--app", app], ["--uplink", $"pcap:{capture}", "--loop", "100", "--pace", "max"]);

        Assert.Equal(app, guest.App);
        Assert.Equal(300UL, guest.Received);
        Assert.Equal(300, guest.Replied);
        Assert.Equal(300UL, device.Received);
        Assert.Equal(300, device.Replayed);
    }

    [Fact]
    public void Replay_PaceRecorded_KeepsTheCapturesGaps()
    {
        byte[][] frames = [.. Enumerable.Range(1, 10).Select(i => EchoRequest(sequence: (ushort)i))];
        string capture = PcapTools.Text2pcap(_dir, "in.pcap", "pcap", frames, TimeSpan.Zero, TimeSpan.FromMilliseconds(30));
        string received = Path.Combine(_dir, "received.pcap");

        var (_, device) = RunPair(["--app", "icmpecho", "--ip", GuestIp.ToString(), "--pcap-out", received],
            ["--uplink", $"pcap:{capture}", "--mode", "event"]);

        double[] gaps = [.. PcapTools.Tshark(received, "frame.time_delta").Skip(1).Select(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture))];
        output.WriteLine($"the producer took {device.Seconds:0.000} s; gaps between the frames the guest received, s: {string.Join(", ", gaps)}");
        Assert.Equal(9, gaps.Length);
        // The last frame is due 270 ms after the first, so the replay cannot end sooner. The guest stamps each frame
        // when it receives it, and a busy machine makes some late, which shortens one gap and stretches the next:
        // most gaps are the capture's, not every one.
        Assert.InRange(device.Seconds, 0.270, 5.0);
        Assert.True(gaps.Count(gap => gap is > 0.020 and < 0.060) >= 5, string.Join(", ", gaps));
    }

    [Theory]
    [InlineData("magic", "bad magic 0x")]
    [InlineData("record", "record 2: truncated record (")]
    [InlineData("missing", "cannot read the capture ")]
    public void Replay_BadCapture_FailsWithOneLineBeforeAttaching(string fault, string message)
    {
        string capture = PcapTools.Text2pcap(_dir, "in.pcap", "pcap", Frames()[..2], TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        byte[] bytes = File.ReadAllBytes(capture);
        switch (fault)
        {
            case "magic":
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, 0xDEADBEEF);
                File.WriteAllBytes(capture, bytes);
                break;
            case "record":
                File.WriteAllBytes(capture, bytes[..^5]);
                break;
            default:
                File.Delete(capture);
                break;
        }

        var result = _runner.Run("Producer", "--region", _runner.Region, "--uplink", $"pcap:{capture}", "--wait", "0");

        Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
        string[] lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("producer: ", lines[0]);
        Assert.Contains(message, lines[0]);
    }

    [Fact]
    public void Replay_JumboFramesIntoDefaultBuffers_TravelAsChainsAndComeBackWhole()
    {
        byte[][] frames = [EchoRequest(dataLength: 8000, sequence: 1), EchoRequest(sequence: 2), EchoRequest(dataLength: 30_000, sequence: 3)];
        string capture = PcapTools.Text2pcap(_dir, "in.pcap", "pcap", frames, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        string received = Path.Combine(_dir, "received.pcap");

        var (guest, device) = RunPair(["--app", "icmpecho", "--ip", GuestIp.ToString(), "--pcap-out", received],
            ["--uplink", $"pcap:{capture}", "--pace", "max", "--loop", "3"]);

        Assert.Equal(9UL, guest.Received);
        Assert.Equal(9, guest.Replied);
        Assert.Equal(9UL, device.Received);
        Assert.Equal(3UL * (ulong)frames.Sum(f => f.Length), device.ReceivedBytes); // each reply as long as its request
        Assert.Equal([.. frames, .. frames, .. frames], ReadFrames(received));
        Assert.Equal(["8042|1|1", "98|1|1", "30042|1|1"], PcapTools.Tshark(received, "frame.len", "ip.checksum.status", "icmp.checksum.status")[..3]);
    }

    [Fact]
    public void Replay_FrameLongerThanTheGuestsChainsCarry_RefusesToAttach()
    {
        // 16 buffers of 64 bytes carry 1024 bytes at most; a 3042-byte frame needs buffers of 191 bytes in any region.
        string capture = PcapTools.Text2pcap(_dir, "in.pcap", "pcap", [EchoRequest(dataLength: 3000)], TimeSpan.Zero, TimeSpan.Zero);
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--app", "io", "--attach-timeout", "30",
            "--buffer-size", "64", "--ring-size", "16");
        _runner.WaitForRegion(consumer, Deadline);

        var result = _runner.Run("Producer", "--region", _runner.Region, "--uplink", $"pcap:{capture}");

        Assert.True(result.ExitCode == ExitCodes.RegionUnusable, result.ToString());
        Assert.Contains("fewer than the 191 this device needs", result.Stderr);
    }

    public void Dispose()
    {
        _runner.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Runs the Consumer with <paramref name="consumerArgs"/> and the Producer with <paramref name="producerArgs"/>
    /// on one region to their ends; both must exit 0. Returns their summaries.</summary>
    private (RunSummary Guest, RunSummary Device) RunPair(string[] consumerArgs, string[] producerArgs)
    {
        var consumer = _runner.Start("Consumer", ["--region", _runner.Region, "--json", .. consumerArgs]);
        _runner.WaitForRegion(consumer, Deadline);
        var producer = _runner.Start("Producer", ["--region", _runner.Region, "--json", .. producerArgs]);
        var results = _runner.WaitAll(Deadline, consumer, producer);
        output.WriteLine(ProgramRunner.Describe(results));
        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), ProgramRunner.Describe(results));
        return (results[0].Summary(), results[1].Summary());
    }

    private static List<byte[]> ReadFrames(string file)
    {
        using var reader = new PcapReader(file);
        var frames = new List<byte[]>();
        byte[] buffer = new byte[70_000];
        while (reader.TryRead(buffer, out var record))
            frames.Add(buffer[..record.CapturedLength]);
        return frames;
    }
}
