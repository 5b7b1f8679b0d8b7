using Ring.Harness.Hosting;
using System.Globalization;
using CommandLine;
using CommandLine.Text;

namespace Bench;

/// <summary>Options of <c>bench sweep</c>: <c>pair</c> at every mode and offered load, into a results folder.</summary>
[Verb("sweep", HelpText = "Run pair for every mode and offered load; write sweep.csv, sweep.json, latency.png and cpu.png; advise a mode per latency target.")]
public sealed class SweepOptions
{
    [Option("modes", Default = "poll,event,hybrid", HelpText = "Wait modes to run, comma-separated (both sides run the same mode).")]
    public string Modes { get; set; } = "poll,event,hybrid";

    [Option("rates", Default = "1000,10000,100000,1000000,0", HelpText = "Offered loads in packets per second, comma-separated; 0: saturation (unpaced).")]
    public string Rates { get; set; } = "1000,10000,100000,1000000,0";

    [Option("seconds", Default = 2.0, HelpText = "Seconds per point.")]
    public double Seconds { get; set; } = 2;

    [Option("targets-us", Default = "10,100,1000", HelpText = "p99 latency targets for the advisor, microseconds, comma-separated.")]
    public string TargetsMicros { get; set; } = "10,100,1000";

    [Option("out", Default = "results", HelpText = "Folder under which a <stamp> folder is made for the files.")]
    public string Out { get; set; } = "results";

    [Option("size", Default = 64, HelpText = "Packet size in bytes.")]
    public int Size { get; set; } = 64;

    [Option("cpus", Default = "0,1", HelpText = "Cores for the consumer and the producer (taskset); empty: no pinning.")]
    public string Cpus { get; set; } = "0,1";

    [Option("pin", Default = PinModes.Process, HelpText = "With --cpus: process (taskset pins each whole program to its core) or "
        + "poll (only each program's poll thread is pinned; the runtime's threads run on the other core).")]
    public string Pin { get; set; } = PinModes.Process;

    [Option("refs", HelpText = "Also run the reference programs and print Ring's figures as ratios of theirs.")]
    public bool Refs { get; set; }

    [Option("json", HelpText = "End with sweep.json's content as one line.")]
    public bool Json { get; set; }

    /// <summary>The modes, checked.</summary>
    public IReadOnlyList<string> ModeList() =>
        Split(Modes, "--modes").Select(m => WaitModeNames.Parse("--modes", m).Name()).ToList();

    /// <summary>The offered loads, checked.</summary>
    public IReadOnlyList<double> RateList() => Numbers(Rates, "--rates", r => r >= 0 && r <= 1e10);

    /// <summary>The advisor's targets in nanoseconds, checked.</summary>
    public IReadOnlyList<double> TargetsNs() => Numbers(TargetsMicros, "--targets-us", t => t > 0).Select(t => t * 1e3).ToList();

    /// <summary>Checks every value; throws ArgumentException with one line.</summary>
    public void Validate()
    {
        _ = ModeList();
        _ = RateList();
        _ = TargetsNs();
        if (!(Seconds > 0 && Seconds <= 3600))
            throw new ArgumentException($"--seconds must be above 0 and at most 3600, not {Seconds}");
        _ = ProgramPair.ParseCpus(Cpus);
        PinModes.Validate(Pin);
    }

    private static string[] Split(string list, string option)
    {
        string[] items = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
            throw new ArgumentException($"{option} needs at least one value");
        return items;
    }

    private static List<double> Numbers(string list, string option, Func<double, bool> valid) =>
        Split(list, option).Select(item =>
            double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && valid(value)
                ? value
                : throw new ArgumentException($"{option}: '{item}' is not a valid value")).ToList();

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "bench")]
    public static IEnumerable<Example> Examples =>
    [
        new("Two modes at three offered loads, one second per point", new UnParserSettings { SkipDefault = true },
            new SweepOptions { Modes = "poll,event", Rates = "1000,100000,0", Seconds = 1 }),
    ];
}
