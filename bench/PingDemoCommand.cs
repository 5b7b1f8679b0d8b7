using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;

namespace Bench;

/// <summary>
/// <c>bench ping-demo</c>: the guest answers a real <c>ping</c>. In a namespace of its own, a TAP at 10.77.0.1/24
/// (the host side) is served by the icmpecho guest at 10.77.0.2, and <c>ping -c N -i 0.01</c> runs at it; then the
/// same ping crosses a veth pair between two more namespaces, the kernel's own path and the fair reference. Every
/// namespace, TAP and process goes on the way out, on error and on Ctrl-C (exit 130).
/// </summary>
/// <remarks>
/// Until the Producer has a TAP uplink and the Consumer an icmpecho app, the guest is <see cref="TapResponder"/>:
/// icmpecho served straight from the TAP in this process (path <c>tap-direct</c>), which is also the no-ring floor
/// to set beside the ring's figures. Wiring the pair in replaces <see cref="ServeGuest"/> with the Producer started
/// under <see cref="NetworkNamespace.ExecArguments"/> (<c>--uplink tap:rtap0</c>) and the Consumer with
/// <c>--app icmpecho --ip 10.77.0.2</c>.
/// </remarks>
internal static class PingDemoCommand
{
    public const string TapName = "rtap0";
    public const string HostCidr = "10.77.0.1/24";
    public static readonly Ipv4Address GuestAddress = Ipv4Address.Parse("10.77.0.2");
    public static readonly MacAddress GuestMac = MacAddress.Parse("02:52:49:4e:47:02");
    private const double IntervalSeconds = 0.01;

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
        var pollBeforeSleep = options.Validate();
        try
        {
            string? unavailable = NetworkNamespace.Unavailable();
            if (unavailable is not null)
                throw new RunFailedException($"ping-demo needs network namespaces: {unavailable}");
            var (guest, counters) = ServeGuest(options, pollBeforeSleep, cancel);
            using var veth = VethLink.Create(options.Mtu);
            var reference = veth.Ping(options.Count, IntervalSeconds, options.Size, cancel);
            return PingDemoResult.From("tap-direct", options.Mode, options.Size, options.Mtu, guest, reference, counters);
        }
        catch (Exception e) when (e is NetworkSetupException or NetDeviceException)
        {
            throw new RunFailedException(e.Message);
        }
    }

    /// <summary>The guest's namespace, TAP and icmpecho, and ping at it.</summary>
    private static (PingSummary Ping, FrameCounters Counters) ServeGuest(PingDemoOptions options, TimeSpan pollBeforeSleep, CancellationToken cancel)
    {
        using var ns = NetworkNamespace.Create();
        ns.AddTap(TapName, HostCidr, options.Mtu);
        using var tap = ns.RunInside(() => TapDevice.Open(TapName));
        var echo = new IcmpEcho(GuestAddress, GuestMac);
        using var responder = new TapResponder(tap, echo, pollBeforeSleep);
        responder.Start();
        var summary = PingCommand.Run(ns, GuestAddress.ToString(), options.Count, IntervalSeconds, options.Size, cancel);
        responder.Stop(TimeSpan.FromSeconds(10));
        return (summary, echo.Counters);
    }
}
