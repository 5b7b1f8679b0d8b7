using CommandLine;

namespace Bench;

/// <summary>Options of <c>bench rtt</c>: ping-pong between the two processes, one packet in flight.</summary>
[Verb("rtt", HelpText = "Round-trip time: the Producer sends one packet at a time and the Consumer echoes it back.")]
public sealed class RttOptions
{
    /// <summary>The default number of round trips.</summary>
    public const long DefaultCount = 200_000;

    [Option("mode", Default = "poll", HelpText = "How the consumer waits: poll, event or hybrid.")]
    public string Mode { get; set; } = "poll";

    [Option("device-mode", HelpText = "How the producer waits: poll, event or hybrid (default: as --mode).")]
    public string? DeviceMode { get; set; }

    [Option("poll-us", HelpText = "Hybrid poll budget in microseconds, for whichever side runs hybrid.")]
    public double? PollMicros { get; set; }

    [Option("count", Default = DefaultCount, HelpText = "Round trips.")]
    public long Count { get; set; } = DefaultCount;

    [Option("rate", Default = 0.0, HelpText = "Pings per second (the producer paces them, still one in flight; both sides go idle between pings, "
        + "so event mode really sleeps and pays the wake-up); 0: back-to-back, the next ping as soon as the echo is back.")]
    public double Rate { get; set; }

    [Option("size", Default = 64, HelpText = "Packet size in bytes.")]
    public int Size { get; set; } = 64;

    [Option("cpus", Default = "0,1", HelpText = "Cores for the consumer and the producer (taskset); empty: no pinning.")]
    public string Cpus { get; set; } = "0,1";

    [Option("timeout", HelpText = "Seconds to wait for both processes before killing them (default: generous for --count).")]
    public double? Timeout { get; set; }

    [Option("region", HelpText = "Region name (default: rtt-<pid>).")]
    public string? Region { get; set; }

    [Option("json", HelpText = "End with one JSON object on the last line.")]
    public bool Json { get; set; }
}
