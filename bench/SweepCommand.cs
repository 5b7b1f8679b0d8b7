using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ring;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary>
/// <c>bench sweep</c>: runs <c>pair</c> (both sides in one mode, RX, paced to the offered load) for every mode and
/// every offered load, then writes <c>results/&lt;stamp&gt;/</c> sweep.csv, sweep.json, latency.png and cpu.png,
/// prints a table and one advisor line per latency target and load: the cheapest mode that met the target there.
/// A point whose pair run fails is kept as a failed row and left out of the pictures and the advice. When gcc can
/// build bench/c/floors.c, every point is bracketed by <c>floors spin 100000</c> probes that tell the machine's
/// speed state (fast or slow, about 3x apart; mixed when it changed during the point); points not in the sweep's
/// majority state are re-run, and those still off-state are marked and left out of the advice.
/// </summary>
internal static class SweepCommand
{
    /// <summary>What a point costs beyond its seconds (two program starts and the handshake), for the first estimate.</summary>
    private const double StartSeconds = 0.5;

    /// <summary>Tries per point at most: the first, and up to two re-runs when it came out off-state.</summary>
    public const int MaxTries = 3;

    public static int Run(SweepOptions options)
    {
        using var interrupt = new InterruptSignal();
        // Progress (which point runs, re-runs, the live pair line) only on a terminal, and not with --json.
        bool live = !Console.IsErrorRedirected && !options.Json;
        var report = Execute(options, live ? Console.Error : TextWriter.Null, interrupt.Token, live);
        Console.WriteLine(Table(report));
        Console.WriteLine(report.AdvisorHeader);
        foreach (string line in report.AdviceLines)
            Console.WriteLine(line);
        if (report.Refs is { } refs)
            Console.WriteLine(refs.Text);
        Console.WriteLine($"wrote {report.Directory}/sweep.csv, sweep.json, latency.png, cpu.png");
        if (options.Json)
            Console.WriteLine(report.ToJson());
        return ExitCode(report);
    }

    /// <summary>0 when every point ran clean; else one line on standard error naming the points, and 1 when a point
    /// failed to run, 3 when every point ran but one lost, spoiled or dropped packets.</summary>
    private static int ExitCode(SweepReport report)
    {
        var failed = report.Points.Where(p => p.Error is not null).ToList();
        var unclean = report.Points.Where(p => p.Error is null && !p.Clean).ToList();
        if (failed.Count == 0 && unclean.Count == 0)
            return ExitCodes.Ok;
        static string Names(IEnumerable<SweepPoint> points) => string.Join(", ", points.Select(p => $"{p.Mode} @ {Offered(p.RatePps)}"));
        var parts = new List<string>();
        if (failed.Count > 0)
            parts.Add($"{failed.Count} point(s) failed to run ({Names(failed)})");
        if (unclean.Count > 0)
            parts.Add($"{unclean.Count} point(s) lost, spoiled or dropped packets ({Names(unclean)})");
        Console.Error.WriteLine($"bench: sweep: {string.Join("; ", parts)} of {report.Points.Count}");
        return failed.Count > 0 ? ExitCodes.Failure : ExitCodes.VerificationFailed;
    }

    /// <summary>
    /// Runs every point, each bracketed by <c>floors spin</c> probes when gcc can build floors.c; re-runs (up to
    /// <see cref="MaxTries"/> tries in all) the points whose state changed during them or differs from the sweep's
    /// majority state; writes the four files and returns the report. Says on <paramref name="progress"/> which
    /// point runs, about how long is left, and which point was re-run and why; when <paramref name="live"/>, each
    /// pair run also shows its progress line there (<see cref="PairProgress"/>). <paramref name="cancel"/> stops the
    /// running pair and throws OperationCanceledException.
    /// </summary>
    public static SweepReport Execute(SweepOptions options, TextWriter progress, CancellationToken cancel = default, bool live = false)
    {
        options.Validate();
        using var probe = SpeedProbe.Open(progress);
        return Execute(options, progress, probe, cancel, live);
    }

    /// <summary><see cref="Execute(SweepOptions, TextWriter)"/> with the given speed-state probe.</summary>
    public static SweepReport Execute(SweepOptions options, TextWriter progress, SpeedProbe probe, CancellationToken cancel = default,
        bool live = false)
    {
        options.Validate();
        var modes = options.ModeList();
        var rates = options.RateList();
        string directory = NewResultsFolder(options.Out);
        var report = new SweepReport { Directory = directory, Size = options.Size, Seconds = options.Seconds, Cpus = options.Cpus,
            Pin = options.Pin };
        report.ProbeNote = probe.Unavailable;

        int total = modes.Count * rates.Count;
        var clock = Stopwatch.StartNew();
        foreach (string mode in modes)
        {
            foreach (double rate in rates)
            {
                int done = report.Points.Count;
                double perPoint = done == 0 ? options.Seconds + StartSeconds : clock.Elapsed.TotalSeconds / done;
                string point = $"[{done + 1}/{total}] {mode} @ {Offered(rate)}";
                progress.WriteLine($"{point}, ~{perPoint * (total - done):0} s left");
                report.Points.Add(RunPoint(options, mode, rate, probe, live ? point : null, cancel));
            }
        }
        if (probe.Available)
        {
            report.MajorityState = MajorityState(report.Points, probe.LastState);
            RerunOffState(options, report, probe, progress, live, cancel);
            foreach (var p in report.Points)
                p.OffState = p.State != report.MajorityState;
        }
        report.Advice = SweepAdvice.From(report.Points.Where(p => !p.OffState).ToList(), options.TargetsNs());
        report.PreemptionNotes = SweepAdvice.PreemptionNotes(report.Points.Where(p => !p.OffState));
        File.WriteAllText(Path.Combine(directory, "sweep.csv"), SweepCsv.Format(report.Points));
        SweepCharts.Write(directory, report.Points, options.Size);
        if (options.Refs)
            report.Refs = RefsCommand.TryExecute(RefsOptions.Block(options.Size, options.Cpus, "rx"), progress);
        File.WriteAllText(Path.Combine(directory, "sweep.json"), report.ToJson() + "\n");
        return report;
    }

    /// <summary>
    /// The state most points ran in, counting only fast and slow points (a mixed or unknown one has none); on a tie,
    /// or with no such point, <paramref name="current"/> (the last probe's: re-runs happen in it) when it is fast or
    /// slow, else fast.
    /// </summary>
    public static string MajorityState(IEnumerable<SweepPoint> points, string current)
    {
        var list = points.ToList();
        int fast = list.Count(p => p.State == SpeedState.Fast), slow = list.Count(p => p.State == SpeedState.Slow);
        if (fast != slow)
            return fast > slow ? SpeedState.Fast : SpeedState.Slow;
        return current is SpeedState.Fast or SpeedState.Slow ? current : SpeedState.Fast;
    }

    /// <summary>The printed table: one row per point, with its speed state; off-state points marked with *.</summary>
    public static string Table(SweepReport report)
    {
        string states = report.ProbeNote is { } note
            ? $"speed state unknown ({note})"
            : $"speed state by floors spin {SpeedProbe.SpinCount} before/after each point, majority {report.MajorityState}";
        var text = new StringBuilder()
            .AppendLine($"sweep: {report.Size} B, {report.Seconds:0.###} s per point, direction rx, cpus {(report.Cpus.Length == 0 ? "unpinned" : report.Pin == PinModes.Poll ? report.Cpus + " (poll threads only)" : report.Cpus)}; {states}")
            .AppendLine($"{"mode",-7} {"offered",-11} {"Mpps",8} {"p50",10} {"p99",10} {"cons cpu%",9} {"prod cpu%",9} {"pkts/wake",9} {"preempt c/p",11} {"state",-8} {"spin ns",11} {"tries",5}");
        foreach (var p in report.Points)
        {
            text.Append($"{p.Mode,-7} {Figures.Load(p.RatePps),-11} ");
            string state = $"{(p.OffState ? p.State + "*" : p.State),-8} {Spins(p),11} {p.Tries,5}";
            if (p.Error is not null)
                text.AppendLine($"{"",8} {"",10} {"",10} {"",9} {"",9} {"",9} {"",11} {state}  failed: {p.Error.Split('\n')[0]}");
            else
                text.AppendLine($"{p.Mpps,8:0.000} {Figures.Latency(p.P50Ns),10} {Figures.Latency(p.P99Ns),10} {p.ConsumerCpu,9:0.0} {p.ProducerCpu,9:0.0} "
                    + $"{(p.PktsPerWakeup == 0 ? "-" : p.PktsPerWakeup.ToString("0.0", CultureInfo.InvariantCulture)),9} "
                    + $"{$"{p.ConsumerInvoluntarySwitches}/{p.ProducerInvoluntarySwitches}",11} {state}"
                    + (p.Clean ? "" : "  (packets lost, bad or dropped)"));
        }
        text.AppendLine("preempt c/p: times the consumer's and the producer's poll threads were preempted during the point (/proc)");
        int off = report.Points.Count(p => p.OffState);
        if (off > 0)
            text.AppendLine($"* off-state: {off} point(s) still not in the {report.MajorityState} state after {MaxTries} tries; "
                + "not comparable with the others, left out of the advice");
        return text.ToString().TrimEnd();
    }

    /// <summary>"1000 pps", or "saturation" for 0, as the progress lines say it.</summary>
    private static string Offered(double rate) => rate == 0 ? "saturation" : $"{rate:0} pps";

    private static string Spins(SweepPoint p) =>
        p.SpinNsBefore > 0 || p.SpinNsAfter > 0 ? $"{p.SpinNsBefore:0}/{p.SpinNsAfter:0}" : "-";

    /// <summary>
    /// Re-runs, in up to two rounds over the whole sweep (so time passes between a point's tries), every point not in
    /// the majority state; keeps the first try that comes out in it, or else the best one (one state over mixed,
    /// then the latest). A try whose probe before already shows the other state cannot come out in the majority
    /// state, so its pair is not run.
    /// </summary>
    private static void RerunOffState(SweepOptions options, SweepReport report, SpeedProbe probe, TextWriter progress, bool live,
        CancellationToken cancel)
    {
        string majority = report.MajorityState;
        int off = report.Points.Count(p => p.State != majority);
        int inMajority = report.Points.Count - off;
        progress.WriteLine($"sweep: majority state {majority} ({inMajority} of {report.Points.Count} points)"
            + (off == 0 ? "" : $"; re-running the {off} other point(s), up to {MaxTries - 1} more tries each"));
        for (int attempt = 2; attempt <= MaxTries; attempt++)
        {
            for (int i = 0; i < report.Points.Count; i++)
            {
                var kept = report.Points[i];
                if (kept.State == majority)
                    continue;
                string what = $"{kept.Mode} @ {Offered(kept.RatePps)}";
                double before = probe.Spin();
                if (before > 0 && SpeedState.Of(before) != majority)
                {
                    progress.WriteLine($"re-run {what} (try {attempt}/{MaxTries}) skipped: {Why(kept, majority)}, and the machine is "
                        + $"{SpeedState.Of(before)} now (spin {before:0} ns)");
                    kept.Tries = attempt;
                    continue;
                }
                progress.WriteLine($"re-run {what} (try {attempt}/{MaxTries}): {Why(kept, majority)}");
                var again = RunPoint(options, kept.Mode, kept.RatePps, probe, live ? $"re-run {what}" : null, cancel, before);
                report.Points[i] = Better(kept, again, majority);
                report.Points[i].Tries = attempt;
            }
        }
        int still = report.Points.Count(p => p.State != majority);
        if (off > 0)
            progress.WriteLine(still == 0
                ? $"sweep: every point now ran in the {majority} state"
                : $"sweep: {still} point(s) still off-state after {MaxTries} tries (marked * in the table, left out of the advice)");
    }

    /// <summary>Why a point is re-run: the state changed during it, or it ran in the other state.</summary>
    private static string Why(SweepPoint p, string majority) => p.State switch
    {
        SpeedState.Mixed => $"the speed state changed during it ({SpeedState.Of(p.SpinNsBefore)} -> {SpeedState.Of(p.SpinNsAfter)}: "
            + $"spin {p.SpinNsBefore:0} -> {p.SpinNsAfter:0} ns)",
        SpeedState.Unknown => "its speed-state probe failed",
        _ => $"it ran in the {p.State} state (spin {p.SpinNsBefore:0}/{p.SpinNsAfter:0} ns), the sweep's majority is {majority}",
    };

    /// <summary>Of two tries of one point, the one to keep: in the majority state, else in one state, else the newer.</summary>
    private static SweepPoint Better(SweepPoint older, SweepPoint newer, string majority)
    {
        static int Rank(SweepPoint p, string majority) =>
            p.State == majority ? 2 : p.State is SpeedState.Fast or SpeedState.Slow ? 1 : 0;
        return Rank(older, majority) > Rank(newer, majority) ? older : newer;
    }

    /// <summary>One try of one point, between two probes (the one before given when already taken); its pair shows
    /// its progress under <paramref name="label"/> when given.</summary>
    private static SweepPoint RunPoint(SweepOptions options, string mode, double rate, SpeedProbe probe, string? label,
        CancellationToken cancel, double? spinBefore = null)
    {
        double before = spinBefore ?? probe.Spin();
        var pair = new PairOptions { Mode = mode, Rate = rate, Seconds = options.Seconds, Size = options.Size, Cpus = options.Cpus,
            Pin = options.Pin };
        SweepPoint point;
        try
        {
            point = SweepPoint.Of(mode, rate, PairCommand.Execute(pair, out _, cancel, label));
        }
        catch (RunFailedException e)
        {
            point = SweepPoint.Failed(mode, rate, e.Message);
        }
        double after = probe.Spin();
        point.SpinNsBefore = before;
        point.SpinNsAfter = after;
        point.State = SpeedState.Of(before, after);
        return point;
    }

    /// <summary>A new folder <c>&lt;out&gt;/&lt;yyyyMMdd-HHmmss&gt;</c> (with a suffix when that one exists).</summary>
    private static string NewResultsFolder(string outRoot)
    {
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string directory = Path.Combine(outRoot, stamp);
        for (int n = 2; Directory.Exists(directory); n++)
            directory = Path.Combine(outRoot, $"{stamp}-{n}");
        Directory.CreateDirectory(directory);
        return directory;
    }
}
