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
            RequiredBufferSize = Size,
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
}
