using CommandLine;
using CommandLine.Text;

namespace Bench;

/// <summary>Options of <c>bench pair</c>: one producer/consumer run, two real processes.</summary>
[Verb("pair", isDefault: false, HelpText = "Run the Consumer and Producer as two pinned processes and print one summary.")]
public sealed class PairOptions : TwoProcessOptions
{
    [Option("size", Default = 64, HelpText = "Packet size in bytes.")]
    public int Size { get; set; } = 64;

    [Option("packets", HelpText = "Packets each sender sends (default: run --seconds).")]
    public long? Packets { get; set; }

    [Option("seconds", HelpText = "Seconds each sender runs (default 3 when --packets is not given).")]
    public double? Seconds { get; set; }

    [Option("rate", Default = 0.0, HelpText = "Offered load in packets per second, for each sending side (0: as fast as possible).")]
    public double Rate { get; set; }

    [Option("direction", Default = "rx", HelpText = "rx (producer to consumer), tx (consumer to producer) or both.")]
    public string Direction { get; set; } = "rx";

    [Option("queues", Default = 1, HelpText = "Queue pairs, one thread each in each process.")]
    public int Queues { get; set; } = 1;

    [Option("ring-size", Default = 1024, HelpText = "Entries per ring, a power of two.")]
    public int RingSize { get; set; } = 1024;

    [Option("buffer-size", Default = 2048, HelpText = "Bytes per pool buffer, a power of two.")]
    public int BufferSize { get; set; } = 2048;

    [Option("coalesce-frames", Default = 0, HelpText = "Producer interrupt coalescing: packets per doorbell (0: off).")]
    public int CoalesceFrames { get; set; }

    [Option("coalesce-usecs", Default = 0.0, HelpText = "Producer interrupt coalescing: longest hold in microseconds (0: off).")]
    public double CoalesceMicros { get; set; }

    [Option("verify", Default = "seq", HelpText = "What the receivers check: seq (each packet's sequence number) or full (every byte, against a pattern the sender derives from the sequence number).")]
    public string Verify { get; set; } = "seq";

    [Option("refs", HelpText = "Also run the reference programs (lean.c, floor.c, memif) and print Ring's figures as ratios of theirs.")]
    public bool Refs { get; set; }

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "bench")]
    public static IEnumerable<Example> Examples =>
    [
        new("Ten seconds of 1500-byte packets, both sides sleeping when idle", new UnParserSettings { SkipDefault = true },
            new PairOptions { Seconds = 10, Size = 1500, Mode = "event" }),
    ];
}
