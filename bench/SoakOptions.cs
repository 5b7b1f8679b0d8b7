using System.Globalization;
using CommandLine;
using CommandLine.Text;
using Ring;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary>Options of <c>bench soak</c>: a long run of producers coming and going around one reconnecting Consumer.</summary>
[Verb("soak", HelpText = "Soak: one Consumer with --reconnect for --minutes, and producers in sequence at saturation, each running "
    + "about --session-seconds in the next wait mode of poll, event, hybrid, most killed (SIGKILL) or stopped (SIGTERM) mid-stream, "
    + "the last one ending its stream. Checks sequence continuity per session, that each lost producer's gap is exactly what it "
    + "published and the consumer never read, and sent = received + dropped + in flight; reports the consumer's RSS after the "
    + "first session is up and at the end. Fails on any unexplained gap or RSS growth beyond --max-rss-growth-mb.")]
public sealed class SoakOptions : ReconnectOptions
{
    [Option("minutes", Default = 10.0, HelpText = "How long to run.")]
    public double Minutes { get; set; } = 10;

    [Option("mode", Default = "hybrid", HelpText = "How the consumer waits (one process for the whole soak, so one mode): poll, event or hybrid.")]
    public string Mode { get; set; } = "hybrid";

    [Option("session-seconds", Default = 3.0, HelpText = "Each producer runs between half and one and a half times this long.")]
    public double SessionSeconds { get; set; } = 3;

    [Option("max-rss-growth-mb", Default = 16.0, HelpText = "Fail when the consumer's RSS grew by more than this many MiB from "
        + "the first session to the end.")]
    public double MaxRssGrowthMb { get; set; } = 16;

    [Option("seed", Default = 1, HelpText = "Seed of the sessions' lengths and of how each producer ends.")]
    public int Seed { get; set; } = 1;

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> with one line. Returns the consumer's mode.</summary>
    public WaitMode Validate()
    {
        if (Minutes is <= 0 or > 7 * 24 * 60)
            throw new ArgumentException($"--minutes must be above 0 and at most a week, not {Minutes.ToString(CultureInfo.InvariantCulture)}");
        if (SessionSeconds is < 0.2 or > 3600)
            throw new ArgumentException($"--session-seconds must be 0.2..3600, not {SessionSeconds.ToString(CultureInfo.InvariantCulture)}");
        if (MaxRssGrowthMb < 0)
            throw new ArgumentException("--max-rss-growth-mb must not be negative");
        _ = ProgramPair.ParseCpus(Cpus);
        return WaitModeNames.Parse("--mode", Mode);
    }

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "bench")]
    public static IEnumerable<Example> Examples =>
    [
        new("a 10-minute soak", new UnParserSettings { SkipDefault = true }, new SoakOptions { Minutes = 10 }),
    ];
}
