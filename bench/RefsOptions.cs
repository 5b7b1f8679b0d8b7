using CommandLine;
using CommandLine.Text;
using Ring.Harness.Traffic;

namespace Bench;

/// <summary>Options of <c>bench refs</c>: Ring beside the C baselines and the reference programs, by the measurement rules.</summary>
[Verb("refs", HelpText = "Build the C baselines (bench/c: cring, floors) and, when ../shared/reference is there, the reference programs "
    + "(lean.c, floor.c, memif.sh); run them and Ring's pair and rtt in alternating rounds bracketed by floors spin; print the ratios.")]
public sealed class RefsOptions
{
    /// <summary>The default number of rounds.</summary>
    public const int DefaultRounds = 5;

    /// <summary>The default length of each throughput run, seconds.</summary>
    public const double DefaultSeconds = 5;

    /// <summary>The C ring's default buffer stride: 2 KiB buffers packed, as Ring lays out its pool.</summary>
    public const int DefaultStride = 2048;

    /// <summary>cring's pool, as Ring's per direction: 4 buffers per ring entry, 1024-entry rings.</summary>
    public const string CringPool = "4096 buffers on rings of 1024";

    /// <summary>Both directions, each measured on its own (Ring's <c>pair --direction both</c> runs them at once).</summary>
    public const string BothSeparately = "both-separately";

    [Option("size", Default = 64, HelpText = "Packet size in bytes (8..2048), for cring, lean.c, memif and Ring's pair.")]
    public int Size { get; set; } = 64;

    [Option("rounds", Default = DefaultRounds, HelpText = "Rounds; the order of the programs alternates from one round to the next.")]
    public int Rounds { get; set; } = DefaultRounds;

    [Option("seconds", Default = DefaultSeconds, HelpText = "Seconds each throughput run lasts (cring, Ring's pair, lean.c, memif).")]
    public double Seconds { get; set; } = DefaultSeconds;

    [Option("direction", Default = BothSeparately, HelpText = "rx, tx, or both-separately (rx and tx each measured, one after the other).")]
    public string Direction { get; set; } = BothSeparately;

    [Option("stride", Default = DefaultStride, HelpText = "Bytes between cring's 2048-byte buffers (a multiple of 64, at least 2048; "
        + "2048: packed, as Ring's pool).")]
    public int Stride { get; set; } = DefaultStride;

    [Option("cpus", Default = "0,1", HelpText = "Cores for the guest and the device side: Ring's consumer and producer (taskset), cring's and floors' "
        + "two processes; empty: Ring unpinned, the C programs on 0,1. lean.c and floor.c pin themselves to 0 and 1.")]
    public string Cpus { get; set; } = "0,1";

    [Option("references", HelpText = "Folder of the reference programs (lean.c, floor.c, memif.sh); default: ../shared/reference beside the "
        + "repository root. Without them only the C baselines run beside Ring.")]
    public string? References { get; set; }

    [Option("json", HelpText = "End with one JSON object on the last line.")]
    public bool Json { get; set; }

    /// <summary>Round trips in each of Ring's rtt runs, in place of the defaults; 0: the defaults. For tests.</summary>
    [Option("rtt-count", Hidden = true, Default = 0L)]
    public long RttCount { get; set; }

    /// <summary>The directions to measure, in order.</summary>
    public IReadOnlyList<string> Directions() => Direction == BothSeparately ? ["rx", "tx"] : [Direction];

    /// <summary>Checks every option before anything runs; throws ArgumentException with one line.</summary>
    public void Validate()
    {
        if (Size is < 8 or > 2048)
            throw new ArgumentException($"--size must be 8..2048 (a packet carries an 8-byte sequence number and fits a 2 KiB buffer), not {Size}");
        if (Rounds is < 1 or > 100)
            throw new ArgumentException($"--rounds must be 1..100, not {Rounds}");
        if (!(Seconds is > 0 and <= 3600))
            throw new ArgumentException($"--seconds must be above 0 and at most 3600, not {Seconds}");
        if (Direction is not ("rx" or "tx" or BothSeparately))
            throw new ArgumentException($"--direction takes rx, tx or {BothSeparately}, not '{Direction}'");
        if (Stride < 2048 || Stride % 64 != 0)
            throw new ArgumentException($"--stride must be a multiple of 64, at least 2048, not {Stride}");
        if (RttCount < 0)
            throw new ArgumentException($"--rtt-count must be 0 or more, not {RttCount}");
        _ = ProgramPair.ParseCpus(Cpus);
    }

    /// <summary>
    /// The options of the block <c>pair --refs</c> and <c>sweep --refs</c> append: one round of
    /// <see cref="SendPlan.DefaultSeconds"/> per program in <paramref name="direction"/> (pair's "both" is measured
    /// separately). A glance beside the run, not a measurement by the rules: <c>bench refs</c> is that.
    /// </summary>
    public static RefsOptions Block(int size, string cpus, string direction) => new()
    {
        Size = size,
        Cpus = cpus,
        Rounds = 1,
        Seconds = SendPlan.DefaultSeconds,
        Direction = direction == "both" ? BothSeparately : direction,
    };

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "bench")]
    public static IEnumerable<Example> Examples =>
    [
        new("Three rounds, device-to-guest only", new UnParserSettings { SkipDefault = true },
            new RefsOptions { Rounds = 3, Direction = "rx" }),
    ];
}
