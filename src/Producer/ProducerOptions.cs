using CommandLine;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;
using Ring.Waiting;

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

    [Option("wait", Default = 0.0, HelpText = "Seconds to wait for the region file to appear (0: it must exist).")]
    public double Wait { get; set; }

    [Option("handshake-timeout", Default = 10.0, HelpText = "Seconds to wait for the consumer to finish the handshake.")]
    public double HandshakeTimeout { get; set; } = 10;

    /// <summary>Checks the values that do not depend on the region; throws ArgumentException with one line.</summary>
    public void Validate()
    {
        ValidateLoop();
        if (CoalesceFrames < 0)
            throw new ArgumentException($"--coalesce-frames must be 0 or more, not {CoalesceFrames}");
        if (!(CoalesceMicros >= 0 && CoalesceMicros <= 1_000_000))
            throw new ArgumentException($"--coalesce-usecs must be 0..1000000, not {CoalesceMicros}");
        if (!(Wait >= 0 && Wait <= 86400))
            throw new ArgumentException($"--wait must be 0..86400 seconds, not {Wait}");
        OptionChecks.Timeout("handshake-timeout", HandshakeTimeout);
    }
}
