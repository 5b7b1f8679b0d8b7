using CommandLine;
using Ring.Harness.Hosting;
using Ring.Region;
using Ring.Harness.Traffic;
using Ring.Waiting;

namespace Consumer;

/// <summary>Command-line options of the consumer (the guest's poll-mode driver and its application).</summary>
public sealed class ConsumerOptions : LoopOptions
{
    [Option("queues", Default = 1, HelpText = "Queue pairs, one thread each.")]
    public int Queues { get; set; } = 1;

    [Option("ring-size", Default = 1024, HelpText = "Entries per ring, a power of two (16..32768).")]
    public int RingSize { get; set; } = 1024;

    [Option("buffer-size", Default = 2048, HelpText = "Bytes per pool buffer, a power of two (64..65536).")]
    public int BufferSize { get; set; } = 2048;

    [Option("echo", HelpText = "Send every received packet back on TX (the round-trip benchmark's far end); implies --direction both.")]
    public bool Echo { get; set; }

    [Option("attach-timeout", Default = 10.0, HelpText = "Seconds to wait for a producer to attach.")]
    public double AttachTimeout { get; set; } = 10;

    /// <summary>Checks every value; throws ArgumentException with one line. Returns the region geometry.</summary>
    public RegionGeometry Validate()
    {
        ValidateLoop();
        if (new RegionGeometry(Queues, RingSize, BufferSize, BufferCount: RegionGeometry.MaxBufferCount).Validate() is { } problem)
            throw new ArgumentException(problem);
        OptionChecks.PacketSize(Size, BufferSize);
        OptionChecks.Timeout("attach-timeout", AttachTimeout);
        return RegionGeometry.ForQueues(Queues, RingSize, BufferSize);
    }
}
