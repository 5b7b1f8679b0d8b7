using System.Diagnostics;
using Ring;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary>
/// <c>bench refs</c>: Ring beside C, measured by the rules of issue 8 so that one command reproduces a figure.
/// It builds the project's own C baselines (bench/c: cring, floors) with gcc into a temporary folder, and the
/// reference programs of <c>../shared/reference</c> when they sit beside the repository (or <c>--references</c>
/// names them), then runs rounds. Each round runs <c>floors spin</c> (the speed state before), then, for each
/// direction, cring and Ring's pair for the same seconds, lean.c in each geometry, memif when DPDK is installed,
/// the round-trip floors and Ring's rtt runs, then <c>floors spin</c> again (the state after); every other round
/// runs the programs in reverse order, so neither side always goes first. A round whose two probes disagree is
/// marked and left out of the ranges; the report gives each ratio as min-median-max over the kept rounds of one
/// state, and each program's own spread.
/// </summary>
internal static class RefsCommand
{
    /// <summary>Round trips of floors spin, the speed-state probe: about 25 ms in the fast state, 100 ms in the slow one.</summary>
    public const int SpinCount = 200_000;

    /// <summary>Round trips of floors futex (and floor.c futex).</summary>
    public const int FutexCount = 20_000;

    /// <summary>Ring's poll-mode rtt: pings per second of <c>--seconds</c> (one takes about 400 ns from send to send
    /// in the fast state), so the run is as long as a throughput run: a shorter one measures the JIT's warm-up (200 000
    /// pings read a p50 of 311-381 ns where 5-second runs read 230-270).</summary>
    public const long PollPingsPerSecond = 2_500_000;

    /// <summary>Ring's event-mode rtt, back-to-back: fewer pings than the default, as each costs a wake-up (tens of us).</summary>
    public const long EventPingCount = 50_000;

    /// <summary>The paced event-mode rtt: pings per second (slow enough that both sides sleep between pings)...</summary>
    public const double IdlePingRate = 1000;

    /// <summary>...and how many (two seconds' worth).</summary>
    public const long IdlePingCount = 2000;

    /// <summary>Packets of lean.c's first run in each geometry, which only sizes the later ones to the run's seconds.</summary>
    public const long LeanSizingPackets = 10_000_000;

    public static int Run(RefsOptions options)
    {
        var report = Execute(options, Console.Error);
        if (report.Skipped is null)
            Console.WriteLine(report.Text);
        else
            Console.Error.WriteLine($"bench: {report.Skipped}");
        if (options.Json)
            Console.WriteLine(report.ToJson());
        return report.Skipped is null ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>
    /// <see cref="Execute(RefsOptions, TextWriter)"/> for a block appended to another command's output: a failure (a
    /// program or a Ring run that fails) becomes a one-line report instead of losing that command's results.
    /// </summary>
    public static RefsReport TryExecute(RefsOptions options, TextWriter progress)
    {
        try
        {
            return Execute(options, progress);
        }
        catch (RunFailedException e)
        {
            return RefsReport.Skip($"refs: failed: {e.Message.Split('\n')[0]}");
        }
        catch (ArgumentException e)
        {
            return RefsReport.Skip($"refs: skipped: {e.Message}");
        }
    }

    /// <summary>
    /// Runs every round and returns the report; says on <paramref name="progress"/> what it is running. The reference
    /// programs come from <c>--references</c>, else from <c>../shared/reference</c> beside the repository root; when
    /// they are not there (a lone clone), only the C baselines run beside Ring.
    /// </summary>
    public static RefsReport Execute(RefsOptions options, TextWriter progress)
    {
        options.Validate();
        string? referenceFolder = options.References ?? RepoRoot.ReferenceFolder();
        if (!CProgramFolder.GccFound)
            return RefsReport.Skip($"refs: skipped, {CProgramFolder.NoGcc}");

        progress.WriteLine("refs: building bench/c (cring, floors) with gcc");
        using var baselines = BaselinePrograms.Build();
        var report = new RefsReport
        {
            Size = options.Size,
            Seconds = options.Seconds,
            Direction = options.Direction,
            Stride = options.Stride,
            Cpus = options.Cpus,
        };
        using var references = OpenReferences(referenceFolder, options, report, progress);
        var run = new RefsRoundRunner(options, baselines, references, report, progress);
        run.SizeLean();
        var clock = Stopwatch.StartNew();
        for (int number = 1; number <= options.Rounds; number++)
        {
            string left = number == 1 ? "" : $", ~{clock.Elapsed.TotalSeconds / (number - 1) * (options.Rounds - number + 1):0} s left";
            progress.WriteLine($"refs: round {number}/{options.Rounds}{left}");
            report.Rounds.Add(run.Round(number));
        }
        report.Summarize();
        return report;
    }

    private static ReferencePrograms? OpenReferences(string? folder, RefsOptions options, RefsReport report, TextWriter progress)
    {
        if (!ReferencePrograms.Present(folder))
        {
            report.ReferenceNote = $"not run: no lean.c and floor.c at {folder ?? "<repo root>/../shared/reference (no Ring.sln above here)"} "
                + "(the yardsticks quoted in docs/ sit beside the repository, not in it; --references DIR names them); "
                + "Ring is compared with the C baselines only";
            report.MemifNote = "memif: skipped (memif.sh is one of the reference programs)";
            return null;
        }
        report.ReferenceFolder = folder;
        if (CProgramFolder.OnPath("dpdk-testpmd") is null)
            report.MemifNote = $"memif: skipped (dpdk-testpmd not installed: {ReferencePrograms.MemifInstall})";
        else if (!options.Directions().Contains("rx"))
            report.MemifNote = "memif: skipped (it sends one way, device to guest: compared with rx only)";
        progress.WriteLine($"refs: building lean.c ({LeanGeometry.All.Count} geometries) and floor.c from {folder}");
        return ReferencePrograms.Build(folder!);
    }
}
