using CommandLine;
using CommandLine.Text;

namespace Bench;

/// <summary>Options of <c>bench rtt</c>: ping-pong between the two processes, one packet in flight.</summary>
[Verb("rtt", HelpText = "Round-trip time: the Producer sends one packet at a time and the Consumer echoes it back.")]
public sealed class RttOptions : TwoProcessOptions
{
    /// <summary>The default number of round trips.</summary>
    public const long DefaultCount = 200_000;

    /// <summary>The most round trips a run takes.</summary>
    public const long MaxCount = 1_000_000_000;

    [Option("count", Default = DefaultCount, HelpText = "Round trips.")]
    public long Count { get; set; } = DefaultCount;

    [Option("rate", Default = 0.0, HelpText = "Pings per second (the producer paces them, still one in flight; both sides go idle between pings, "
        + "so event mode really sleeps and pays the wake-up); 0: back-to-back, the next ping as soon as the echo is back.")]
    public double Rate { get; set; }

    [Option("size", Default = 64, HelpText = "Packet size in bytes.")]
    public int Size { get; set; } = 64;

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "bench")]
    public static IEnumerable<Example> Examples =>
    [
        new("100000 round trips with both sides sleeping on the doorbell between pings", new UnParserSettings { SkipDefault = true },
            new RttOptions { Count = 100_000, Mode = "event" }),
    ];
}
