using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;

namespace Bench;

/// <summary>
/// <c>bench ping-demo</c>: the guest answers a real <c>ping</c> through the ring. In a namespace of its own, a TAP at
/// 10.77.0.1/24 (the host side) is bridged by the Producer, started inside that namespace with
/// <c>--uplink tap:rtap0</c>, to the Consumer running <c>--app icmpecho --ip 10.77.0.2</c>, both in <c>--mode</c>; and
/// <c>ping -c N -i 0.01</c> runs at the guest (path <c>ring</c>). Then the same ping crosses a veth pair between two
/// more namespaces, the kernel's own path and the fair reference. With <c>--flood</c> both pings are
/// <c>ping -f -l 64</c> and the figure is requests answered per second. Every namespace, TAP, process and region
/// goes on the way out, on error and on Ctrl-C (exit 130).
/// </summary>
internal static class PingDemoCommand
{
    public const string TapName = "rtap0";
    public const string HostCidr = "10.77.0.1/24";
    public static readonly Ipv4Address GuestAddress = Ipv4Address.Parse("10.77.0.2");
    public static readonly MacAddress GuestMac = MacAddress.Parse("02:52:49:4e:47:02");
    private const double IntervalSeconds = 0.01;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    public static int Run(PingDemoOptions options)
    {
        using var interrupt = new InterruptSignal();
        var result = Execute(options, interrupt.Token);
        Console.WriteLine(result);
        if (options.Json)
            Console.WriteLine(result.ToJson());
        if (result.AllAnswered)
            return ExitCodes.Ok;
        Console.Error.WriteLine($"bench: ping-demo verification failed: {result.Received} of {result.Transmitted} answered by the guest, "
            + $"{result.VethReceived} across the veth pair");
        return ExitCodes.VerificationFailed;
    }

    /// <summary>Runs both pings; throws <see cref="RunFailedException"/> with one line when the network cannot be set up.</summary>
    public static PingDemoResult Execute(PingDemoOptions options, CancellationToken cancel)
    {
        var mode = options.Validate();
        try
        {
            string? unavailable = NetworkNamespace.Unavailable();
            if (unavailable is not null)
                throw new RunFailedException($"ping-demo needs network namespaces: {unavailable}");
            var guest = PingThroughRing(options, mode, cancel);
            using var veth = VethLink.Create(options.Mtu);
            var reference = Ping(options, cancel, veth.Near, VethLink.FarAddress);
            return PingDemoResult.From("ring", options, guest, reference);
        }
        catch (Exception e) when (e is NetworkSetupException or NetDeviceException)
        {
            throw new RunFailedException(e.Message);
        }
    }

    /// <summary>The guest's namespace and TAP, the pair bridging it, and ping at the guest.</summary>
    private static PingDemoResult.Side PingThroughRing(PingDemoOptions options, WaitMode mode, CancellationToken cancel)
    {
        using var ns = NetworkNamespace.Create();
        ns.AddTap(TapName, HostCidr, options.Mtu);
        // The guest keeps its 2048-byte buffers: a jumbo frame travels as a chain of them.
        using var pair = BridgedPair.Start(ns, TapName, mode, options.PollMicros,
            ["--app", "icmpecho", "--ip", GuestAddress.ToString(), "--mac", GuestMac.ToString()]);
        pair.WaitUntilBridging(StartTimeout, cancel);
        var side = Ping(options, cancel, ns, GuestAddress.ToString());
        var (guest, device) = pair.Stop(StopTimeout);
        return side with { Guest = guest, Device = device };
    }

    /// <summary>ping (or, with <c>--flood</c>, a flood) from <paramref name="ns"/> at <paramref name="address"/>.</summary>
    private static PingDemoResult.Side Ping(PingDemoOptions options, CancellationToken cancel, NetworkNamespace ns, string address)
    {
        if (!options.Flood)
            return new PingDemoResult.Side(PingCommand.Run(ns, address, options.Count, IntervalSeconds, options.Size, cancel), null);
        var (summary, elapsed) = PingCommand.Flood(ns, address, options.Count, options.Size, PingDemoOptions.FloodPreload, cancel);
        return new PingDemoResult.Side(summary, summary.Received / elapsed.TotalSeconds);
    }
}
