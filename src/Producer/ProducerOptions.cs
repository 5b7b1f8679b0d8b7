using CommandLine;
using CommandLine.Text;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;

namespace Producer;

/// <summary>Command-line options of the producer (the device backend).</summary>
public sealed class ProducerOptions : LoopOptions
{
    [Option("rtt", HelpText = "Round trip: send one packet at a time and wait for the consumer (--echo) to send it back; the latency reported is the round trip. Implies --direction both.")]
    public bool Rtt { get; set; }

    [Option("coalesce-frames", Default = 0, HelpText = "Interrupt coalescing: hold the guest's doorbell until this many packets are pending (0: off).")]
    public int CoalesceFrames { get; set; }

    [Option("coalesce-usecs", Default = 0.0, HelpText = "Interrupt coalescing: hold the guest's doorbell at most this many microseconds (0: off).")]
    public double CoalesceMicros { get; set; }

    [Option("wait", Default = 10.0, HelpText = "Seconds to wait, in all, for the region to appear and the consumer to finish the handshake (0: the region must exist).")]
    public double Wait { get; set; } = 10;

    [Option("reconnect", HelpText = "When the consumer dies or leaves before the run ends, wait (--wait) for a consumer to "
        + "create the region again, attach to it and start over: a new stream from sequence number 0, as a vhost-user "
        + "backend goes on with a restarted guest. Default: the run ends there (exit 6).")]
    public bool Reconnect { get; set; }

    /// <summary>Checks the values that do not depend on the region; throws ArgumentException with one line. Returns
    /// the device's options.</summary>
    public DeviceOptions Validate()
    {
        ValidateLoop();
        if (!(CoalesceMicros >= 0 && CoalesceMicros <= 1_000_000))
            throw new ArgumentException($"--coalesce-usecs must be 0..1000000, not {CoalesceMicros}");
        if (!(Wait >= 0 && Wait <= 86400))
            throw new ArgumentException($"--wait must be 0..86400 seconds, not {Wait}");
        return OptionChecks.Named(() => new DeviceOptions
        {
            WaitMode = WaitMode,
            HybridPollBudget = OptionChecks.PollBudget(WaitMode, PollMicros),
            AttachTimeout = TimeSpan.FromSeconds(Wait),
            RequiredBufferSize = OptionChecks.SmallestBufferFor(Size),
            CoalesceFrames = CoalesceFrames,
            CoalesceTime = TimeSpan.FromMicroseconds(CoalesceMicros),
        });
    }

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "Producer")]
    public static IEnumerable<Example> Examples =>
    [
        new("Attach to region demo and send 1500-byte packets for ten seconds", new UnParserSettings { SkipDefault = true },
            new ProducerOptions { Region = "demo", Size = 1500, Seconds = 10 }),
    ];
    [Option("uplink", Default = "gen", HelpText = "Where the device's frames come from and go to: gen (sequence-numbered test packets, "
        + "checked when they come back), tap:NAME (bridge the Linux TAP interface NAME: what the kernel sends out of it goes to "
        + "the guest, what the guest sends goes into it; runs until SIGINT/SIGTERM or --seconds), pcap:FILE (replay a classic "
        + "pcap capture into the guest).")]
    public string Uplink { get; set; } = "gen";

    [Option("loop", Default = 1, HelpText = "pcap uplink: replay the capture this many times.")]
    public int Loop { get; set; } = 1;

    [Option("pace", Default = "recorded", HelpText = "pcap uplink: recorded (each frame when its timestamp says) or max (as fast as the guest takes them).")]
    public string Pace { get; set; } = "recorded";

    /// <summary>The parsed <c>--uplink</c>, checked against the options that go only with some uplinks; throws
    /// ArgumentException with one line.</summary>
    internal Uplink ResolveUplink()
    {
        var uplink = Producer.Uplink.Parse(Uplink);
        if (uplink.Kind != UplinkKind.Pcap && (Loop != 1 || Pace != "recorded"))
            throw new ArgumentException("--loop and --pace go with --uplink pcap:FILE only");
        if (Loop is < 1 or > 1_000_000_000)
            throw new ArgumentException($"--loop must be 1..1000000000, not {Loop}");
        if (Pace is not ("recorded" or "max"))
            throw new ArgumentException($"unknown --pace '{Pace}' (use recorded or max)");
        if (uplink.Kind == UplinkKind.Gen)
            return uplink;
        string name = uplink.Kind == UplinkKind.Tap ? "tap:NAME" : "pcap:FILE";
        if (Rtt || Rate != 0 || Direction != "rx" || Packets is not null)
            throw new ArgumentException($"--rtt, --rate, --direction and --packets go with --uplink gen, not {name}");
        if (uplink.Kind == UplinkKind.Pcap && Seconds is not null)
            throw new ArgumentException("--seconds does not go with --uplink pcap:FILE, which ends with the capture (see --loop)");
        return uplink;
    }
}
