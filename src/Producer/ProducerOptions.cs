using CommandLine;
using Ring.Traffic;
using Ring.Waiting;

namespace Producer;

/// <summary>Command-line options of the producer (the device backend).</summary>
public sealed class ProducerOptions
{
    [Option("region", Default = "default", HelpText = "Region name (/dev/shm/ring-<name>) or path, created by the consumer.")]
    public string Region { get; set; } = "default";

    [Option("direction", Default = "rx", HelpText = "rx: fill guest buffers with packets; tx: drain the guest's TX ring; both.")]
    public string Direction { get; set; } = "rx";

    [Option("size", Default = 64, HelpText = "Bytes per packet sent to the guest.")]
    public int Size { get; set; } = 64;

    [Option("packets", HelpText = "RX: send this many packets in all (default: run --seconds).")]
    public long? Packets { get; set; }

    [Option("seconds", HelpText = "RX: send for this many seconds (default 3 when --packets is not given).")]
    public double? Seconds { get; set; }

    [Option("rate", Default = 0.0, HelpText = "Offered load in packets per second over all queues, for what this side sends (0: as fast as possible).")]
    public double Rate { get; set; }

    [Option("rtt", HelpText = "Round trip: send one packet at a time and wait for the consumer (--echo) to send it back; the latency reported is the round trip. Implies --direction both.")]
    public bool Rtt { get; set; }

    [Option("mode", Default = "poll", HelpText = "How to wait for work: poll (busy-poll), event (sleep on the doorbell), hybrid (poll --poll-us, then sleep).")]
    public string Mode { get; set; } = "poll";

    [Option("poll-us", HelpText = "Hybrid only: microseconds to keep polling after the last work before sleeping (default 50).")]
    public double? PollMicros { get; set; }

    [Option("coalesce-frames", Default = 0, HelpText = "Interrupt coalescing: hold the guest's doorbell until this many packets are pending (0: off).")]
    public int CoalesceFrames { get; set; }

    [Option("coalesce-usecs", Default = 0.0, HelpText = "Interrupt coalescing: hold the guest's doorbell at most this many microseconds (0: off).")]
    public double CoalesceMicros { get; set; }

    [Option("pause-chance", Default = 0.0, HelpText = "Testing: chance (0..1) of a random pause before each burst.")]
    public double PauseChance { get; set; }

    [Option("pause-us", Default = 200, HelpText = "Testing: longest random pause in microseconds.")]
    public int PauseMicros { get; set; } = 200;

    [Option("wait", Default = 0.0, HelpText = "Seconds to wait for the region file to appear (0: it must exist).")]
    public double Wait { get; set; }

    [Option("handshake-timeout", Default = 10.0, HelpText = "Seconds to wait for the consumer to finish the handshake.")]
    public double HandshakeTimeout { get; set; } = 10;

    [Option("stall-timeout", Default = 10.0, HelpText = "Fail when no work was done for this many seconds.")]
    public double StallTimeout { get; set; } = 10;

    [Option("json", HelpText = "Print the summary as one JSON object on the last line.")]
    public bool Json { get; set; }

    /// <summary>Checks the values that do not depend on the region; throws ArgumentException with one line.</summary>
    public void Validate()
    {
        _ = DirectionNames.Parse(Direction);
        OptionChecks.PollBudget(WaitModeNames.Parse("--mode", Mode), PollMicros);
        RandomPauses.Validate(PauseChance, PauseMicros);
        if (CoalesceFrames < 0)
            throw new ArgumentException($"--coalesce-frames must be 0 or more, not {CoalesceFrames}");
        if (!(CoalesceMicros >= 0 && CoalesceMicros <= 1_000_000))
            throw new ArgumentException($"--coalesce-usecs must be 0..1000000, not {CoalesceMicros}");
        if (Size < PacketStamper.MinSize)
            throw new ArgumentException($"--size must be at least {PacketStamper.MinSize} bytes, not {Size}");
        if (!(Wait >= 0 && Wait <= 86400))
            throw new ArgumentException($"--wait must be 0..86400 seconds, not {Wait}");
        OptionChecks.Timeout("handshake-timeout", HandshakeTimeout);
        OptionChecks.Timeout("stall-timeout", StallTimeout);
        _ = new SendPlan(Packets, Seconds, 1);
        _ = new RatePacer(Rate);
    }
}
