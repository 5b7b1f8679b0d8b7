using CommandLine;
using CommandLine.Text;

namespace Bench;

/// <summary>Options of <c>bench stats</c>: a running region's counters, read from a third process.</summary>
[Verb("stats", HelpText = "Show a region's counters per queue pair (packets, bytes, rates, ring occupancy, drops, doorbells, sleeps), "
    + "read-only from outside. One block, with rates over one second; --watch redraws every interval until Ctrl-C (exit 130) "
    + "or until the region is torn down (exit 6).")]
public sealed class StatsOptions
{
    /// <summary>Longest --watch interval, seconds.</summary>
    public const double MaxWatchSeconds = 3600;

    [Option("region", Required = true, HelpText = "Region name (/dev/shm/ring-<name>) or path (anything with a '/').")]
    public string Region { get; set; } = "";

    [Option("watch", HelpText = "Redraw every this many seconds, in place on a terminal, one block per interval otherwise "
        + "(default: one block, rates over one second, then exit).")]
    public double? Watch { get; set; }

    [Option("json", HelpText = "One JSON object per block, each on one line.")]
    public bool Json { get; set; }

    /// <summary>Whether <c>--region</c> is a path (it holds a '/') rather than a name.</summary>
    public bool RegionIsPath => Region.Contains('/');

    /// <summary>Checks every value; throws ArgumentException with one line.</summary>
    public void Validate()
    {
        if (Region.Length == 0)
            throw new ArgumentException("--region needs a name or a path");
        if (Watch is { } seconds && !(seconds >= 0.1 && seconds <= MaxWatchSeconds))
            throw new ArgumentException($"--watch must be 0.1..{MaxWatchSeconds:0} seconds, not {seconds}");
    }

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "bench")]
    public static IEnumerable<Example> Examples =>
    [
        new("Watch the region of a running pair, redrawn every second", new UnParserSettings { SkipDefault = true },
            new StatsOptions { Region = "pair-4242", Watch = 1 }),
    ];
}
