using Ring;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary>
/// <c>bench refs</c>: builds the reference programs of <c>../shared/reference</c> into a temporary folder, runs them
/// and Ring's own pair and rtt in one go, bracketed by <c>floor spin</c> to tell the machine's speed state, and
/// prints Ring's figures as ratios of the references'.
/// </summary>
internal static class RefsCommand
{
    /// <summary>lean.c's packet count and Ring's pair's.</summary>
    public const long Packets = 20_000_000;

    /// <summary>The paced event-mode rtt: pings per second (slow enough that both sides sleep between pings)...</summary>
    public const double IdlePingRate = 1000;

    /// <summary>...and how many (two seconds' worth).</summary>
    public const long IdlePingCount = 2000;

    public static int Run(RefsOptions options)
    {
        var report = Execute(options, Console.Error);
        Console.WriteLine(report.Text);
        if (options.Json)
            Console.WriteLine(report.ToJson());
        return report.Skipped is null ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>
    /// <see cref="Execute"/> for a block appended to another command's output: a failure (a reference program or a
    /// Ring run that fails) becomes a one-line report instead of losing that command's results.
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
    }

    /// <summary>Runs everything and returns the report; says on <paramref name="progress"/> what it is running.</summary>
    public static RefsReport Execute(RefsOptions options, TextWriter progress)
    {
        _ = ProgramPair.ParseCpus(options.Cpus);
        string? source = RepoRoot.ReferenceFolder();
        if (source is null || !File.Exists(Path.Combine(source, "lean.c")))
            return RefsReport.Skip($"refs: skipped, no reference programs at {source ?? "<repo root>/../shared/reference (no Ring.sln above here)"}");
        if (ReferencePrograms.OnPath("gcc") is null)
            return RefsReport.Skip("refs: skipped, gcc not found (.ci/run installs it; or apt-get install -y gcc)");

        using var programs = ReferencePrograms.Build(source);
        var report = new RefsReport { Size = options.Size };
        progress.WriteLine("refs: floor spin (speed state before)");
        report.SpinBeforeNs = programs.Floor("spin", 200_000);
        report.StateBefore = SpeedState.Of(report.SpinBeforeNs);
        progress.WriteLine($"refs: lean.c {Packets} x {options.Size} B");
        report.LeanMpps = programs.Lean(Packets, options.Size);
        progress.WriteLine("refs: floor futex");
        report.FutexNs = programs.Floor("futex", 20_000);
        RunMemif(programs, report, options.Size, progress);

        progress.WriteLine($"refs: ring pair poll {Packets} x {options.Size} B");
        var pair = PairCommand.Execute(new PairOptions { Mode = "poll", Size = options.Size, Packets = Packets, Cpus = options.Cpus }, out _);
        if (!pair.Clean)
            throw new RunFailedException("refs: Ring's pair lost, dropped or misordered packets");
        report.RingMpps = pair.Mpps;
        progress.WriteLine("refs: ring rtt poll");
        var rttPoll = RttCommand.Execute(new RttOptions { Mode = "poll", Cpus = options.Cpus });
        progress.WriteLine("refs: ring rtt event");
        var rttEvent = RttCommand.Execute(new RttOptions { Mode = "event", Cpus = options.Cpus });
        progress.WriteLine($"refs: ring rtt event @ {IdlePingRate:0} pps ({IdlePingCount} pings)");
        var rttEventIdle = RttCommand.Execute(new RttOptions { Mode = "event", Cpus = options.Cpus, Rate = IdlePingRate, Count = IdlePingCount });
        report.RttPollP50Ns = rttPoll.P50Ns;
        report.RttEventP50Ns = rttEvent.P50Ns;
        report.RttEventIdleP50Ns = rttEventIdle.P50Ns;
        report.RttEventIdleRatePps = IdlePingRate;
        report.RttEventIdleCount = rttEventIdle.Count;
        report.RttEventIdleWakeups = rttEventIdle.Wakeups;
        report.RttEventIdleConsumerCpu = rttEventIdle.ConsumerCpu;
        report.RttOverlapped = rttPoll.Overlapped || rttEvent.Overlapped || rttEventIdle.Overlapped;

        progress.WriteLine("refs: floor spin (speed state after)");
        report.SpinAfterNs = programs.Floor("spin", 200_000);
        report.StateAfter = SpeedState.Of(report.SpinAfterNs);
        report.ComputeRatios();
        return report;
    }

    private static void RunMemif(ReferencePrograms programs, RefsReport report, int size, TextWriter progress)
    {
        if (ReferencePrograms.OnPath("dpdk-testpmd") is null)
        {
            report.MemifNote = $"memif: skipped (dpdk-testpmd not installed: {ReferencePrograms.MemifInstall})";
            return;
        }
        progress.WriteLine($"refs: memif.sh 10 {size}");
        try
        {
            report.MemifMpps = programs.Memif(10, size);
        }
        catch (RunFailedException e)
        {
            report.MemifNote = $"memif: failed ({e.Message.Split('\n')[0]})";
        }
    }
}
