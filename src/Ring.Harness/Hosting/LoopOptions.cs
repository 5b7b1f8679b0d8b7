using Ring;
using CommandLine;
using Ring.Harness.Traffic;

namespace Ring.Harness.Hosting;

/// <summary>
/// The command-line options both programs share: the region, what this side sends and how fast, how it waits,
/// the test-only random pauses, the stall timeout and the summary format. Each program adds its own.
/// </summary>
public abstract class LoopOptions
{
    /// <summary>The region name or path.</summary>
    [Option("region", Default = "default", HelpText = "Region name (/dev/shm/ring-<name>) or path.")]
    public string Region { get; set; } = "default";

    /// <summary>rx, tx or both.</summary>
    [Option("direction", Default = "rx", HelpText = "rx: device to guest (the producer sends); tx: guest to device (the consumer sends); both.")]
    public string Direction { get; set; } = "rx";

    /// <summary>Bytes per packet sent.</summary>
    [Option("size", Default = 64, HelpText = "Bytes per packet this side sends.")]
    public int Size { get; set; } = 64;

    /// <summary>Packets to send in all, or null.</summary>
    [Option("packets", HelpText = "Send this many packets in all (default: run --seconds).")]
    public long? Packets { get; set; }

    /// <summary>Seconds to send for, or null.</summary>
    [Option("seconds", HelpText = "Send for this many seconds (default 3 when --packets is not given).")]
    public double? Seconds { get; set; }

    /// <summary>Offered load in packets per second (0: unpaced).</summary>
    [Option("rate", Default = 0.0, HelpText = "Offered load in packets per second over all queues, for what this side sends (0: as fast as possible).")]
    public double Rate { get; set; }

    /// <summary>poll, event or hybrid.</summary>
    [Option("mode", Default = "poll", HelpText = "How to wait for work: poll (busy-poll), event (sleep on the doorbell), hybrid (poll --poll-us, then sleep).")]
    public string Mode { get; set; } = "poll";

    /// <summary>Hybrid poll budget in microseconds, or null for the default.</summary>
    [Option("poll-us", HelpText = "Hybrid only: microseconds to keep polling after the last work before sleeping (default 50).")]
    public double? PollMicros { get; set; }

    /// <summary>Testing: chance of a random pause per burst.</summary>
    [Option("pause-chance", Default = 0.0, HelpText = "Testing: chance (0..1) of a random pause before each burst.")]
    public double PauseChance { get; set; }

    /// <summary>Testing: longest random pause in microseconds.</summary>
    [Option("pause-us", Default = 200, HelpText = "Testing: longest random pause in microseconds.")]
    public int PauseMicros { get; set; } = 200;

    /// <summary>Seconds without work before the run fails.</summary>
    [Option("stall-timeout", Default = 3.0, HelpText = "Say so (one line on stderr) when no work was done for this many seconds while the peer is still attached, and wait on: a paused peer (SIGSTOP, a debugger, a GC) is not a dead one.")]
    public double StallTimeout { get; set; } = 3;

    /// <summary>Seconds without progress after which the run fails, or 0.</summary>
    [Option("stall-limit", Default = 0.0, HelpText = "Fail when no work was done for this many seconds (0: never; the peer's death is noticed anyway).")]
    public double StallLimit { get; set; }

    /// <summary>Cores for the poll threads, or null.</summary>
    [Option("cpu", HelpText = "Run each queue's poll thread on one of these cores only (comma-separated; queue q on the q-th, round "
        + "robin) and every other thread of the program (the runtime's) on the other cores it may use. Default: no pinning here "
        + "(taskset pins the whole process).")]
    public string? Cpu { get; set; }

    /// <summary>seq or full.</summary>
    [Option("verify", Default = "seq", HelpText = "What the receiver checks of each packet: seq (its sequence number, bytes 0..7) or full "
        + "(every byte: the sender fills the packet with a pattern derived from its sequence number; give both sides the same).")]
    public string Verify { get; set; } = "seq";

    /// <summary>The parsed <c>--verify</c>.</summary>
    public Verification Verification => VerificationNames.Parse(Verify);

    /// <summary>Whether the summary is printed as JSON.</summary>
    [Option("json", HelpText = "Print the summary as one JSON object on the last line.")]
    public bool Json { get; set; }

    /// <summary>Whether <c>--region</c> is a path (it holds a '/') rather than a name.</summary>
    public bool RegionIsPath => Region.Contains('/');

    /// <summary>The parsed <c>--cpu</c>: the poll threads' cores, or null to leave them where the process may run.</summary>
    public IReadOnlyList<int>? PollCores => Cpu is null ? null : ThreadAffinity.ParseCores(Cpu);

    /// <summary>A stall watch for one queue loop, reporting on standard error with <paramref name="program"/>'s prefix.</summary>
    public StallWatch NewStallWatch(string program, Func<string> waitingFor) =>
        new(TimeSpan.FromSeconds(StallTimeout), StallLimit == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(StallLimit), waitingFor,
            new PrefixedWriter(Console.Error, program));

    /// <summary>The parsed <c>--mode</c>.</summary>
    public WaitMode WaitMode => WaitModeNames.Parse("--mode", Mode);

    /// <summary>Checks the shared options; throws <see cref="ArgumentException"/> with one line.</summary>
    protected void ValidateLoop()
    {
        _ = DirectionNames.Parse(Direction);
        _ = Verification;
        OptionChecks.PollBudget(WaitMode, PollMicros);
        RandomPauses.Validate(PauseChance, PauseMicros);
        if (Size < PacketStamper.MinSize || Size > GuestOptions.MaxBufferSize)
            throw new ArgumentException($"--size must be {PacketStamper.MinSize}..{GuestOptions.MaxBufferSize} bytes, not {Size}");
        OptionChecks.Timeout("stall-timeout", StallTimeout);
        if (StallLimit != 0)
            OptionChecks.Timeout("stall-limit", StallLimit);
        _ = new SendPlan(Packets, Seconds, 1);
        _ = new RatePacer(Rate);
        _ = PollCores;
    }

    /// <summary>The settings every queue loop of this program shares, for <paramref name="queues"/> queue pairs.</summary>
    public LoopSettings Settings(Direction direction, int queues) =>
        new(direction, new PacketStamper(Size, Verification), new SendPlan(Packets, Seconds, queues), WaitMode,
            OptionChecks.PollBudget(WaitMode, PollMicros), Rate / queues, PauseChance, PauseMicros);
}
