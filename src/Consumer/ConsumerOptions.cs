using CommandLine;
using CommandLine.Text;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;

namespace Consumer;

/// <summary>Command-line options of the consumer (the guest's poll-mode driver and its application).</summary>
public sealed class ConsumerOptions : LoopOptions
{
    [Option("queues", Default = 1, HelpText = "Queue pairs, one thread each (1..16).")]
    public int Queues { get; set; } = 1;

    [Option("ring-size", Default = 1024, HelpText = "Entries per ring, a power of two (16..32768); also the buffers per queue pair and direction.")]
    public int RingSize { get; set; } = 1024;

    [Option("buffers-per-ring", HelpText = "Buffers each direction of a queue pair owns, ring-size..64 x ring-size (default 4 x ring-size): a buffer is reused only after all the others.")]
    public int? BuffersPerRing { get; set; }

    [Option("buffer-size", Default = 2048, HelpText = "Bytes per pool buffer (64..65536).")]
    public int BufferSize { get; set; } = 2048;

    [Option("echo", HelpText = "Send every received packet back on TX (the round-trip benchmark's far end); implies --direction both.")]
    public bool Echo { get; set; }

    [Option("attach-timeout", Default = 10.0, HelpText = "Seconds to wait for a producer to attach.")]
    public double AttachTimeout { get; set; } = 10;

    [Option("reconnect", HelpText = "When the producer dies or leaves before its stream ends, reset the device and wait "
        + "(--attach-timeout) for a new one, as vhost-user's reconnect; each producer's sequence numbers are checked from "
        + "its first packet. Default: the run ends there (exit 6).")]
    public bool Reconnect { get; set; }

    /// <summary>Checks every value; throws ArgumentException with one line. Returns the guest's options.</summary>
    public GuestOptions Validate()
    {
        ValidateLoop();
        var timeout = OptionChecks.Timeout("attach-timeout", AttachTimeout);
        var options = OptionChecks.Named(() => new GuestOptions
        {
            QueuePairs = Queues,
            RingSize = RingSize,
            BufferSize = BufferSize,
            BuffersPerRing = BuffersPerRing ?? GuestOptions.DefaultBuffersPerRing(RingSize),
            WaitMode = WaitMode,
            HybridPollBudget = OptionChecks.PollBudget(WaitMode, PollMicros),
            AttachTimeout = timeout,
        });
        OptionChecks.PacketSize(Size, BufferSize, RingSize);
        return options;
    }

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "Consumer")]
    public static IEnumerable<Example> Examples =>
    [
        new("Create region demo with two queue pairs and sleep on the doorbell when idle", new UnParserSettings { SkipDefault = true },
            new ConsumerOptions { Region = "demo", Queues = 2, Mode = "event" }),
    ];
    [Option("app", HelpText = "The guest application, as testpmd's forwarding modes: rxonly (check the producer's sequence numbers), "
        + "txonly (send sequence-numbered packets), io (send every frame back as it came), macswap (send it back with the "
        + "Ethernet addresses swapped), icmpecho (answer ARP and ping for --ip, drop the rest). Default: rxonly, or what "
        + "--direction or --echo say.")]
    public string? App { get; set; }

    [Option("ip", HelpText = "icmpecho: the guest's IPv4 address, which it answers ARP and ping for (no default: icmpecho needs it).")]
    public string? Ip { get; set; }

    [Option("mac", HelpText = "icmpecho: the guest's Ethernet address (default 02:52:49:4e:47:02).")]
    public string? Mac { get; set; }

    [Option("pcap-out", HelpText = "Write every frame received to this file, classic pcap (nanosecond timestamps, Ethernet). Default: no capture.")]
    public string? PcapOut { get; set; }

    /// <summary>The application <c>--app</c> (or its aliases <c>--direction</c> and <c>--echo</c>) names; throws
    /// ArgumentException with one line.</summary>
    internal GuestAppChoice ResolveApp() => GuestAppChoice.Resolve(App, Echo, Direction, Ip, Mac);
}
