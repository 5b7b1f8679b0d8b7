using System.Buffers.Binary;
using System.Diagnostics;
using Ring.Harness.Net;
using Ring.Tests.Support;
using Xunit.Abstractions;
using static Ring.Tests.Support.TestFrames;

namespace Ring.Tests;

/// <summary>
/// The TAP device against the Linux network stack, inside a namespace each test creates (so the host's interfaces
/// are never touched): a frame the kernel sends (the ARP request a ping triggers) is read by our reader, a frame we
/// write (an echo request to the kernel's address) is answered by the kernel, and <c>ping</c> through the TAP is
/// answered by <see cref="IcmpEcho"/> in each wait mode, jumbo frames too: the end-to-end proof of the application
/// before any ring is involved. Skipped, with the reason, where this process may not create namespaces.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class TapNamespaceTests(ITestOutputHelper output) : IDisposable
{
    private const string Tap = "rtap0";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly List<IDisposable> _cleanup = [];

    [SkippableFact]
    public void Read_PingToAnAddressOnTheTapsSubnet_ReadsTheKernelsArpRequest()
    {
        var (ns, tap) = OpenTapInNamespace();
        using var ping = ns.Start("ping", "-n", "-c", "1", "-W", "2", GuestIp.ToString());

        byte[] frame = ReadUntil(tap, f => BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(12)) == EthernetHeader.EtherTypeArp);

        Assert.Equal(MacAddress.Broadcast, MacAddress.Read(frame));
        Assert.Equal(HostMac, MacAddress.Read(frame.AsSpan(6)));
        Assert.Equal(ArpPacket.OperationRequest, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14 + ArpPacket.OperationOffset)));
        Assert.Equal(HostIp, Ipv4Address.Read(frame.AsSpan(14 + ArpPacket.SenderProtocolOffset)));
        Assert.Equal(GuestIp, Ipv4Address.Read(frame.AsSpan(14 + ArpPacket.TargetProtocolOffset)));
    }

    [SkippableFact]
    public void TryWrite_EchoRequestToTheKernelsAddress_KernelReplies()
    {
        var (ns, tap) = OpenTapInNamespace();
        ns.Ip("neigh", "add", GuestIp.ToString(), "lladdr", GuestMac.ToString(), "dev", Tap); // no ARP round first
        byte[] request = EchoRequest(identifier: 0x5151, sequence: 42, source: GuestIp, sourceMac: GuestMac,
            destination: HostIp, destinationMac: HostMac);

        Assert.True(tap.TryWrite(request), "the kernel did not take the frame");
        byte[] reply = ReadUntil(tap, f => f.Length > 34 && f[12] == 0x08 && f[13] == 0x00 && f[23] == Ipv4Header.ProtocolIcmp);

        Assert.Equal(GuestMac, MacAddress.Read(reply));
        Assert.Equal(HostIp, Ipv4Address.Read(reply.AsSpan(14 + Ipv4Header.SourceOffset)));
        Assert.Equal(IcmpEchoMessage.TypeEchoReply, reply[34]);
        Assert.Equal(0x5151, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(34 + IcmpEchoMessage.IdentifierOffset)));
        Assert.Equal(42, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(34 + IcmpEchoMessage.SequenceOffset)));
        Assert.Equal(request[(34 + 8)..], reply[(34 + 8)..]);
    }

    [SkippableTheory]
    [InlineData("poll")]
    [InlineData("event")]
    [InlineData("hybrid")]
    public void Ping100_IcmpEchoServingTheTap_AnswersAll(string mode)
    {
        var (ns, tap) = OpenTapInNamespace();
        var echo = new IcmpEcho(GuestIp, GuestMac);
        using var responder = new TapResponder(tap, echo, mode switch
        {
            "poll" => Timeout.InfiniteTimeSpan,
            "event" => TimeSpan.Zero,
            _ => TimeSpan.FromMilliseconds(1),
        });
        responder.Start();

        var summary = PingCommand.Run(ns, GuestIp.ToString(), count: 100, intervalSeconds: 0.01, size: 56);
        responder.Stop(Deadline);

        output.WriteLine($"{mode}: {summary}; {echo.Counters}; sleeps {responder.Sleeps}");
        Assert.Equal(100, summary.Transmitted);
        Assert.Equal(100, summary.Received);
        Assert.Equal(0, summary.LossPercent);
        Assert.True(echo.Counters.Replied >= 101, $"expected an ARP reply and 100 echo replies: {echo.Counters}");
        Assert.Equal(echo.Counters.Replied, responder.RepliesOut);
        if (mode == "poll")
            Assert.Equal(0, responder.Sleeps);
        else
            Assert.True(responder.Sleeps > 0, $"{mode} never slept");
    }

    [SkippableFact]
    public void PingJumbo_Mtu9000AndSize8000_Answers()
    {
        var (ns, tap) = OpenTapInNamespace(mtu: 9000);
        var echo = new IcmpEcho(GuestIp, GuestMac);
        using var responder = new TapResponder(tap, echo, TimeSpan.Zero);
        responder.Start();

        var summary = PingCommand.Run(ns, GuestIp.ToString(), count: 5, intervalSeconds: 0.01, size: 8000);
        responder.Stop(Deadline);

        output.WriteLine($"{summary}; {echo.Counters}");
        Assert.Equal(5, summary.Received);
        Assert.Equal(0, echo.Counters[FrameDropReason.Ipv4Fragment]);
    }

    [SkippableFact]
    public void Open_TapAlreadyOpen_ThrowsNameInUse()
    {
        var (ns, _) = OpenTapInNamespace();

        var error = Assert.Throws<NetDeviceException>(() => ns.RunInside(() => TapDevice.Open(Tap)));

        Assert.Equal($"cannot open TAP {Tap}: the name is in use (another process has this TAP open): EBUSY (Device or resource busy)", error.Message);
    }

    [SkippableFact]
    public void Open_NameOfLoopback_ThrowsNotATap()
    {
        var ns = Namespace();

        var error = Assert.Throws<NetDeviceException>(() => ns.RunInside(() => TapDevice.Open("lo")));

        Assert.StartsWith("cannot open TAP lo: the name is taken by a device that is not a single-queue TAP: EINVAL", error.Message);
    }

    [SkippableFact]
    public void Open_NewNameInsideNamespace_CreatesATapThatGoesOnDispose()
    {
        var ns = Namespace();

        using (var tap = ns.RunInside(() => TapDevice.Open("rtap%d")))
        {
            Assert.Equal("rtap0", tap.Name);
            Assert.Contains("rtap0", ns.Exec(Deadline, default, "ip", "-o", "link").Stdout);
        }

        Assert.DoesNotContain("rtap0", ns.Exec(Deadline, default, "ip", "-o", "link").Stdout);
    }

    [SkippableFact]
    public void Create_NameThatExists_ThrowsAlreadyExists()
    {
        var ns = Namespace();

        var error = Assert.Throws<NetworkSetupException>(() => NetworkNamespace.Create(ns.Name));

        Assert.Equal($"network namespace {ns.Name} already exists (if it is left over: ip netns del {ns.Name})", error.Message);
    }

    [SkippableFact]
    public void Dispose_WithAChildRunningInside_KillsItAndDeletesTheNamespace()
    {
        NetTools.SkipUnlessNamespaces();
        var ns = NetworkNamespace.Create();
        var sleeper = ns.Start("sleep", "600");
        int pid = sleeper.Id;

        ns.Dispose();

        Assert.False(File.Exists(Path.Combine(NetworkNamespace.NamedDirectory, ns.Name)), $"{ns.Name} still exists");
        Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "),
            $"sleep (pid {pid}) still runs");
    }

    [SkippableFact]
    public void VethPing_TwentyRequests_AllAnsweredWithRtts()
    {
        NetTools.SkipUnlessNamespaces();
        using var veth = VethLink.Create();

        var summary = veth.Ping(count: 20, intervalSeconds: 0.01, size: 56);

        output.WriteLine($"veth: {summary}");
        Assert.Equal(20, summary.Received);
        Assert.True(summary.RttAvgMs > 0 && summary.RttMinMs <= summary.RttAvgMs && summary.RttAvgMs <= summary.RttMaxMs, summary.ToString());
    }

    public void Dispose()
    {
        for (int i = _cleanup.Count - 1; i >= 0; i--)
            _cleanup[i].Dispose();
    }

    private NetworkNamespace Namespace()
    {
        NetTools.SkipUnlessNamespaces();
        var ns = NetworkNamespace.Create();
        _cleanup.Add(ns);
        return ns;
    }

    /// <summary>A namespace with a persistent TAP at 10.77.0.1/24 (the host side, with <see cref="HostMac"/>), opened
    /// by this process from inside, and up.</summary>
    private (NetworkNamespace Ns, TapDevice Tap) OpenTapInNamespace(int mtu = 1500)
    {
        var ns = Namespace();
        ns.AddTap(Tap, $"{HostIp}/24", mtu);
        ns.Ip("link", "set", "dev", Tap, "address", HostMac.ToString());
        var tap = ns.RunInside(() => TapDevice.Open(Tap));
        _cleanup.Add(tap);
        // The kernel starts the TAP's queue a little after the open; what it sends before is dropped.
        var clock = Stopwatch.StartNew();
        while (!ns.IsUp(Tap))
        {
            Assert.True(clock.Elapsed < Deadline, $"{Tap} not up within {Deadline.TotalSeconds} s of the open");
            Thread.Sleep(10);
        }
        return (ns, tap);
    }

    /// <summary>Reads frames from <paramref name="tap"/>, sleeping in epoll between them, until one matches; fails at the deadline.</summary>
    private static byte[] ReadUntil(TapDevice tap, Func<byte[], bool> match)
    {
        using var epoll = new Epoll();
        epoll.Add(tap.FileDescriptor);
        Span<EpollReady> ready = stackalloc EpollReady[1];
        byte[] buffer = new byte[TapResponder.MaxFrameLength];
        var seen = new List<string>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Deadline)
        {
            int length = tap.Read(buffer);
            if (length == 0)
            {
                epoll.Wait(ready, Deadline - clock.Elapsed);
                continue;
            }
            byte[] frame = buffer[..length];
            if (match(frame))
                return frame;
            seen.Add(Convert.ToHexString(frame.AsSpan(0, Math.Min(length, 34))));
        }
        Assert.Fail($"no matching frame within {Deadline.TotalSeconds} s; saw {seen.Count}: {string.Join(", ", seen)}");
        return [];
    }
}
