using Ring;
using Ring.Harness.Hosting;
using CommandLine;

namespace Bench;

/// <summary>
/// The options every verb that starts the Consumer and Producer shares (<c>pair</c>, <c>rtt</c>): how each side
/// waits, where they run, how long to wait for them, the region and the output format.
/// </summary>
public abstract class TwoProcessOptions
{
    [Option("mode", Default = "poll", HelpText = "How the consumer waits: poll, event or hybrid.")]
    public string Mode { get; set; } = "poll";

    [Option("device-mode", HelpText = "How the producer waits: poll, event or hybrid (default: as --mode).")]
    public string? DeviceMode { get; set; }

    [Option("poll-us", HelpText = "Hybrid poll budget in microseconds, for whichever side runs hybrid (default 50).")]
    public double? PollMicros { get; set; }

    [Option("cpus", Default = "0,1", HelpText = "Cores for the consumer and the producer (taskset); empty: no pinning.")]
    public string Cpus { get; set; } = "0,1";

    [Option("pin", Default = PinModes.Process, HelpText = "With --cpus: process (taskset pins each whole program to its core) or "
        + "poll (each program may run on both cores; only its poll thread is pinned, by the program's --cpu, and its other threads, "
        + "the runtime's, run on the other core).")]
    public string Pin { get; set; } = PinModes.Process;

    [Option("timeout", HelpText = "Seconds to wait for both processes before killing them (default: generous for the run).")]
    public double? Timeout { get; set; }

    [Option("region", HelpText = "Region name (default: <verb>-<pid>).")]
    public string? Region { get; set; }

    [Option("json", HelpText = "End with one JSON object on the last line.")]
    public bool Json { get; set; }

    /// <summary>Checks and parses the shared options before anything starts; throws ArgumentException with one
    /// line. Returns the consumer's and the producer's wait modes.</summary>
    public (WaitMode Consumer, WaitMode Device) ValidateTwoProcess()
    {
        var mode = WaitModeNames.Parse("--mode", Mode);
        var deviceMode = DeviceMode is null ? mode : WaitModeNames.Parse("--device-mode", DeviceMode);
        if (PollMicros is not null && mode != WaitMode.Hybrid && deviceMode != WaitMode.Hybrid)
            throw new ArgumentException("--poll-us applies only when --mode or --device-mode is hybrid");
        _ = ProgramPair.ParseCpus(Cpus);
        PinModes.Validate(Pin);
        return (mode, deviceMode);
    }

    /// <summary>The region to use: <c>--region</c>, else one private to this run.</summary>
    public string RegionOrDefault(string verb) => Region ?? $"{verb}-{Environment.ProcessId}";
}
