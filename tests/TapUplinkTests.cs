using System.Diagnostics;
using Ring.Harness.Hosting;
using Ring.Harness.Net;
using Ring.Tests.Support;
using Xunit.Abstractions;

namespace Ring.Tests;

/// <summary>
/// The TAP uplink through the real binaries, inside a namespace each test creates: the Producer, started inside it,
/// bridges the TAP to the Consumer's icmpecho, and the kernel's own <c>ping</c> is answered through the ring in each
/// wait mode, with the guest's <c>--pcap-out</c> read back by tshark, and with 8000-byte pings on a 9000-byte MTU,
/// whose frames travel as chains of 2048-byte buffers both ways; an idle bridged pair in event mode sleeps; a
/// TAP that is in use fails with one line. Skipped, with the reason, where this process may not create namespaces.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class TapUplinkTests(ITestOutputHelper output) : IDisposable
{
    private const string Tap = "rtap0";
    private const string GuestIp = "10.77.0.2";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly ProgramRunner _runner = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("ring-tap-").FullName;
    private readonly List<IDisposable> _cleanup = [];

    [SkippableTheory]
    [InlineData("poll")]
    [InlineData("event")]
    [InlineData("hybrid")]
    public void Ping100_ProducerBridgingTheTapToIcmpEcho_AnswersAllAndTsharkDecodesTheGuestsCapture(string mode)
    {
        var ns = NamespaceWithTap();
        string capture = Path.Combine(_dir, "guest.pcap");
        var (consumer, producer) = StartPair(ns, mode, "--pcap-out", capture);

        var ping = PingCommand.Run(ns, GuestIp, count: 100, intervalSeconds: 0.01, size: 56);
        producer.Terminate();
        var results = _runner.WaitAll(Deadline, consumer, producer);

        output.WriteLine($"{mode}: {ping}\n{results[0].Stdout}{results[1].Stdout}");
        Assert.Equal(100, ping.Received);
        Assert.Equal(0, ping.LossPercent);
        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), ProgramRunner.Describe(results));
        var guest = results[0].Summary();
        var device = results[1].Summary();
        Assert.Equal("icmpecho", guest.App);
        Assert.True(guest.Replied >= 101, $"expected an ARP reply and 100 echo replies: {results[0]}");
        Assert.Equal(guest.Replied + guest.AppDropped, (long)guest.Received);
        Assert.Equal($"tap:{Tap}", device.Uplink);
        Assert.Equal((long)guest.Received, device.UplinkIn);
        Assert.Equal(guest.Replied, device.UplinkOut);
        Assert.Empty(device.UplinkDrops);
        Assert.Equal((long)guest.Received, guest.Captured);

        // tshark reads what the guest received from the kernel: the ARP request, then the echo requests.
        string[] frames = PcapTools.Tshark(capture, "frame.protocols", "arp.opcode", "icmp.type");
        Assert.Equal(guest.Captured, frames.Length);
        Assert.Contains("eth:ethertype:arp|1|", frames);
        Assert.Equal(100, frames.Count(f => f == "eth:ethertype:ip:icmp:data||8"));
    }

    [SkippableFact]
    public void PingJumbo_Mtu9000AndSize8000_AnsweredThroughChainsOfDefaultBuffers()
    {
        var ns = NamespaceWithTap(mtu: 9000);
        var (consumer, producer) = StartPair(ns, "event");

        var ping = PingCommand.Run(ns, GuestIp, count: 5, intervalSeconds: 0.01, size: 8000);
        producer.Terminate();
        var results = _runner.WaitAll(Deadline, consumer, producer);

        output.WriteLine($"{ping}\n{results[0].Stdout}{results[1].Stdout}");
        Assert.Equal(5, ping.Received);
        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), ProgramRunner.Describe(results));
        var guest = results[0].Summary();
        Assert.Equal(0, guest.AppDrops.GetValueOrDefault("Ipv4Fragment"));
        Assert.True(guest.ReceivedBytes >= 5 * 8042UL, results[0].ToString()); // whole 8042-byte frames, in 2048-byte buffers
    }

    [SkippableFact]
    public void IdleBridgedPair_EventMode_BurnsAlmostNoCpu()
    {
        var ns = NamespaceWithTap();
        // No IPv6 chatter (router solicitations, MLD reports) on the link: idle means idle.
        ns.Exec(Deadline, default, "sh", "-c", $"echo 1 > /proc/sys/net/ipv6/conf/{Tap}/disable_ipv6");
        var (consumer, producer) = StartPair(ns, "event");
        Thread.Sleep(1000); // past the start-up: JIT, first sleeps

        var clock = Stopwatch.StartNew();
        long guestBefore = CpuTicks(consumer.Pid), deviceBefore = CpuTicks(producer.Pid);
        Thread.Sleep(3000);
        double seconds = clock.Elapsed.TotalSeconds;
        double guestPercent = Percent(CpuTicks(consumer.Pid) - guestBefore, seconds);
        double devicePercent = Percent(CpuTicks(producer.Pid) - deviceBefore, seconds);
        producer.Terminate();
        var results = _runner.WaitAll(Deadline, consumer, producer);

        output.WriteLine($"idle event-mode pair over {seconds:0.0} s: consumer {guestPercent:0.00}% cpu, producer {devicePercent:0.00}% cpu\n"
            + $"{results[0].Stdout}{results[1].Stdout}");
        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), ProgramRunner.Describe(results));
        // Each side wakes every 10 ms to look at its peer (about 0.4 % measured on an idle box); a spinning side
        // would show 100 %. The bound leaves room for a loaded machine.
        Assert.True(guestPercent < 5, $"consumer {guestPercent:0.00}% cpu while idle");
        Assert.True(devicePercent < 5, $"producer {devicePercent:0.00}% cpu while idle");
    }

    [SkippableFact]
    public void Producer_TapInUse_FailsWithOneLineBeforeAttaching()
    {
        var ns = NamespaceWithTap();
        var held = ns.RunInside(() => TapDevice.Open(Tap));
        _cleanup.Add(held);

        var producer = _runner.StartInside(ns, "Producer", "--region", _runner.Region, "--uplink", $"tap:{Tap}", "--wait", "0");
        var result = _runner.WaitAll(Deadline, producer)[0];

        Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
        Assert.Equal($"producer: cannot open TAP {Tap}: the name is in use (another process has this TAP open): EBUSY (Device or resource busy)",
            result.Stderr.Trim());
    }

    public void Dispose()
    {
        _runner.Dispose();
        for (int i = _cleanup.Count - 1; i >= 0; i--)
            _cleanup[i].Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A namespace of this test's with a persistent TAP at 10.77.0.1/24, the host side of the guest's link.</summary>
    private NetworkNamespace NamespaceWithTap(int mtu = 1500)
    {
        NetTools.SkipUnlessNamespaces();
        var ns = NetworkNamespace.Create();
        _cleanup.Add(ns);
        ns.AddTap(Tap, "10.77.0.1/24", mtu);
        return ns;
    }

    /// <summary>The Consumer answering for <see cref="GuestIp"/> and the Producer bridging the TAP from inside
    /// <paramref name="ns"/>, both in <paramref name="mode"/>; returns once the handshake is done and the TAP is up.</summary>
    private (ProgramRunner.Child Consumer, ProgramRunner.Child Producer) StartPair(NetworkNamespace ns, string mode, params string[] guestArgs)
    {
        var consumer = _runner.Start("Consumer", ["--region", _runner.Region, "--app", "icmpecho", "--ip", GuestIp, "--mode", mode,
            "--json", .. guestArgs]);
        _runner.WaitForRegion(consumer, Deadline);
        var producer = _runner.StartInside(ns, "Producer", "--region", _runner.Region, "--uplink", $"tap:{Tap}", "--mode", mode, "--json");
        _runner.WaitUntil(() => Running(_runner.Region) && ns.IsUp(Tap), "the pair is bridging", Deadline, consumer, producer);
        return (consumer, producer);
    }

    private static bool Running(string region)
    {
        try
        {
            using var observer = RegionObserver.Open(region);
            return observer.Snapshot().State == RegionState.Running;
        }
        catch (RingException)
        {
            return false;
        }
    }

    /// <summary>User plus system time of <paramref name="pid"/>, in clock ticks (/proc/PID/stat fields 14 and 15).</summary>
    private static long CpuTicks(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary><paramref name="ticks"/> of CPU over <paramref name="seconds"/>, in percent of one core (Linux reports
    /// 100 ticks a second, USER_HZ, whatever the kernel's own tick).</summary>
    private static double Percent(long ticks, double seconds) => 100.0 * ticks / 100 / seconds;
}
