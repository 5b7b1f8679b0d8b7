using CommandLine;
using Ring.Region;
using Ring.Traffic;
using Ring.Waiting;

namespace Consumer;

/// <summary>Command-line options of the consumer (the guest's poll-mode driver and its application).</summary>
public sealed class ConsumerOptions
{
    [Option("region", Default = "default", HelpText = "Region name (/dev/shm/ring-<name>) or path. The consumer creates it.")]
    public string Region { get; set; } = "default";

    [Option("direction", Default = "rx", HelpText = "rx: receive and check (rxonly); tx: send (txonly); both.")]
    public string Direction { get; set; } = "rx";

    [Option("queues", Default = 1, HelpText = "Queue pairs, one thread each.")]
    public int Queues { get; set; } = 1;

    [Option("ring-size", Default = 1024, HelpText = "Entries per ring, a power of two (16..32768).")]
    public int RingSize { get; set; } = 1024;

    [Option("buffer-size", Default = 2048, HelpText = "Bytes per pool buffer, a power of two (64..65536).")]
    public int BufferSize { get; set; } = 2048;

    [Option("size", Default = 64, HelpText = "Bytes per packet sent on TX.")]
    public int Size { get; set; } = 64;

    [Option("packets", HelpText = "TX: send this many packets in all (default: run --seconds).")]
    public long? Packets { get; set; }

    [Option("seconds", HelpText = "TX: send for this many seconds (default 3 when --packets is not given).")]
    public double? Seconds { get; set; }

    [Option("rate", Default = 0.0, HelpText = "Offered load in packets per second over all queues, for what this side sends (0: as fast as possible).")]
    public double Rate { get; set; }

    [Option("echo", HelpText = "Send every received packet back on TX (the round-trip benchmark's far end); implies --direction both.")]
    public bool Echo { get; set; }

    [Option("mode", Default = "poll", HelpText = "How to wait for work: poll (busy-poll), event (sleep on the doorbell), hybrid (poll --poll-us, then sleep).")]
    public string Mode { get; set; } = "poll";

    [Option("poll-us", HelpText = "Hybrid only: microseconds to keep polling after the last work before sleeping (default 50).")]
    public double? PollMicros { get; set; }

    [Option("pause-chance", Default = 0.0, HelpText = "Testing: chance (0..1) of a random pause before each burst.")]
    public double PauseChance { get; set; }

    [Option("pause-us", Default = 200, HelpText = "Testing: longest random pause in microseconds.")]
    public int PauseMicros { get; set; } = 200;

    [Option("attach-timeout", Default = 10.0, HelpText = "Seconds to wait for a producer to attach.")]
    public double AttachTimeout { get; set; } = 10;

    [Option("stall-timeout", Default = 10.0, HelpText = "Fail when no work was done for this many seconds.")]
    public double StallTimeout { get; set; } = 10;

    [Option("json", HelpText = "Print the summary as one JSON object on the last line.")]
    public bool Json { get; set; }

    /// <summary>Checks every value; throws ArgumentException with one line. Returns the region geometry.</summary>
    public RegionGeometry Validate()
    {
        _ = DirectionNames.Parse(Direction);
        OptionChecks.PollBudget(WaitModeNames.Parse("--mode", Mode), PollMicros);
        RandomPauses.Validate(PauseChance, PauseMicros);
        if (new RegionGeometry(Queues, RingSize, BufferSize, BufferCount: RegionGeometry.MaxBufferCount).Validate() is { } problem)
            throw new ArgumentException(problem);
        OptionChecks.PacketSize(Size, BufferSize);
        OptionChecks.Timeout("attach-timeout", AttachTimeout);
        OptionChecks.Timeout("stall-timeout", StallTimeout);
        return RegionGeometry.ForQueues(Queues, RingSize, BufferSize);
    }
}
