using System.Globalization;
using CommandLine;
using CommandLine.Text;
using Ring;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary>Options of <c>bench kills</c>: how fast a Consumer notices that its producer was killed, in each wait mode.</summary>
[Verb("kills", HelpText = "Death detection: per wait mode, one Consumer with --reconnect, and --count producers in turn, each "
    + "sending at a steady --rate (so an event or hybrid consumer sleeps on its doorbell between packets) and killed (SIGKILL) "
    + "after a moment; the time from each kill to the consumer's line saying its producer died. A last producer ends its stream, "
    + "and the consumer's summary must add up. Fails when a detection took longer than --limit-ms or was never seen.")]
public sealed class KillsOptions : ReconnectOptions
{
    [Option("count", Default = 20, HelpText = "Producers killed per mode.")]
    public int Count { get; set; } = 20;

    [Option("modes", Default = "poll,event,hybrid", HelpText = "Wait modes, comma-separated; both programs wait the same way.")]
    public string Modes { get; set; } = "poll,event,hybrid";

    [Option("rate", Default = 1000.0, HelpText = "Packets per second each producer sends.")]
    public double Rate { get; set; } = 1000;

    [Option("run-ms", Default = 300, HelpText = "Milliseconds each producer runs, once attached, before it is killed.")]
    public int RunMillis { get; set; } = 300;

    [Option("limit-ms", Default = 1000, HelpText = "The longest detection allowed, in milliseconds.")]
    public int LimitMillis { get; set; } = 1000;

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> with one line. Returns the modes.</summary>
    public IReadOnlyList<WaitMode> Validate()
    {
        if (Count is < 1 or > 10_000)
            throw new ArgumentException($"--count must be 1..10000, not {Count}");
        if (Rate is <= 0 or > 1e7)
            throw new ArgumentException($"--rate must be above 0 and at most 10000000, not {Rate.ToString(CultureInfo.InvariantCulture)}");
        if (RunMillis is < 0 or > 60_000 || LimitMillis is < 1 or > 60_000)
            throw new ArgumentException("--run-ms must be 0..60000 and --limit-ms 1..60000");
        _ = ProgramPair.ParseCpus(Cpus);
        return Modes.Split(',').Select(m => WaitModeNames.Parse("--modes", m.Trim())).ToList();
    }

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "bench")]
    public static IEnumerable<Example> Examples =>
    [
        new("20 kills in each wait mode, the worst detection time per mode", new UnParserSettings { SkipDefault = true },
            new KillsOptions()),
    ];
}
