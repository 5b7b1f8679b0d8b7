using System.Globalization;
using Ring;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary>
/// The Consumer and the Producer started together on one region: the consumer first (it creates the region), then
/// the producer (which waits for it), each pinned to its core, both waited for under one deadline. Used by
/// <c>pair</c> and <c>rtt</c>. A program still running at the deadline is killed with the other one, and the error
/// carries everything both printed.
/// </summary>
internal static class ProgramPair
{
    /// <summary>How often the launcher looks at both programs (and at an interruption) while they run.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a program asked to stop may take before it is killed.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    /// <summary>How long a producer may take to notice by itself that the consumer failed (an attached one learns it
    /// within a second and prints its summary, what was in flight included) before it is asked to stop.</summary>
    private static readonly TimeSpan PeerLossGrace = TimeSpan.FromSeconds(2);

    /// <summary>Runs both programs and returns their JSON summaries; throws <see cref="RunFailedException"/> on failure.</summary>
    public static (RunSummary Consumer, RunSummary Producer) Run(string what, string region, string cpus, string pin,
        IEnumerable<string> consumerArgs, IEnumerable<string> producerArgs, TimeSpan timeout, CancellationToken cancel = default)
    {
        var outcome = Collect(what, region, cpus, pin, consumerArgs, producerArgs, timeout, cancel);
        if (outcome.Failure is not null)
            throw outcome.Failure;
        return (outcome.Consumer!, outcome.Producer!);
    }

    /// <summary>
    /// As <see cref="Run"/>, but a run in which a program failed is returned, not thrown: the failure (the cause's
    /// message and exit code) beside the summaries that were printed, which include a survivor's when its peer was
    /// lost (it exits 6 with its summary). Throws only for the deadline and for an interruption.
    /// </summary>
    /// <param name="what">The command, for error messages ("pair", "rtt").</param>
    /// <param name="region">The region name both programs use.</param>
    /// <param name="cpus">Two core numbers, like "0,1", or empty for no pinning.</param>
    /// <param name="pin"><see cref="PinModes.Process"/>: each program pinned to its core by taskset; <see cref="PinModes.Poll"/>:
    /// each may run on both cores, and only its poll thread is pinned to its own (the program's <c>--cpu</c>).</param>
    /// <param name="consumerArgs">The consumer's arguments, including <c>--json</c>.</param>
    /// <param name="producerArgs">The producer's arguments, including <c>--json</c> and <c>--wait</c>.</param>
    /// <param name="timeout">How long both may take together.</param>
    /// <param name="cancel">SIGINT or SIGTERM: both programs are asked to stop (SIGTERM, so they leave the region
    /// cleanly) and <see cref="OperationCanceledException"/> is thrown.</param>
    public static PairOutcome Collect(string what, string region, string cpus, string pin,
        IEnumerable<string> consumerArgs, IEnumerable<string> producerArgs, TimeSpan timeout, CancellationToken cancel = default)
    {
        var (consumerCpu, producerCpu) = ParseCpus(cpus);
        if (pin == PinModes.Poll && consumerCpu is not null)
        {
            consumerArgs = consumerArgs.Concat(["--cpu", consumerCpu]);
            producerArgs = producerArgs.Concat(["--cpu", producerCpu!]);
            consumerCpu = producerCpu = cpus;
        }
        var deadline = DateTime.UtcNow + timeout;
        using var consumer = ChildProcess.Start("Consumer", consumerCpu, consumerArgs);
        using var producer = ChildProcess.Start("Producer", producerCpu, producerArgs);
        DateTime? consumerFailedAt = null;
        while (consumer.Running || producer.Running)
        {
            if (cancel.IsCancellationRequested)
            {
                consumer.Stop(StopGrace);
                producer.Stop(StopGrace);
                throw new OperationCanceledException(cancel);
            }
            if (DateTime.UtcNow > deadline)
            {
                consumer.Kill();
                producer.Kill();
                RemoveKilledRegion(region);
                throw new RunFailedException($"{what} did not finish within {timeout.TotalSeconds:0} s; both processes killed\n"
                    + consumer.Describe() + "\n" + producer.Describe());
            }
            // The consumer owns the region: once it failed, a producer still waiting for it can only wait out its --wait.
            if (!consumer.Running && SummaryLine(consumer) is null && producer.Running)
            {
                consumerFailedAt ??= DateTime.UtcNow;
                if (DateTime.UtcNow - consumerFailedAt > PeerLossGrace)
                    producer.Stop(StopGrace);
            }
            cancel.WaitHandle.WaitOne(PollInterval);
        }
        return Summaries(consumer, producer);
    }

    /// <summary>Removes what a killed consumer leaves of region <paramref name="region"/>: its socket and its lock file
    /// (one that stopped cleanly removed both itself). Only for a region whose consumer is dead.</summary>
    public static void RemoveKilledRegion(string region)
    {
        string path = Path.Combine("/dev/shm", "ring-" + region);
        File.Delete(path);
        File.Delete(path + ".lock");
    }

    /// <summary>Checks <paramref name="cpus"/> ("0,1" or empty) and splits it into the consumer's and the producer's core.</summary>
    public static (string? Consumer, string? Producer) ParseCpus(string cpus)
    {
        if (string.IsNullOrWhiteSpace(cpus))
            return (null, null);
        string[] parts = cpus.Split(',');
        if (parts.Length != 2 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c < Environment.ProcessorCount))
            throw new ArgumentException($"--cpus takes two core numbers below {Environment.ProcessorCount}, like 0,1; not '{cpus}'");
        return (parts[0], parts[1]);
    }

    /// <summary>The mode arguments of one side: <c>--mode</c>, and <c>--poll-us</c> when it runs hybrid.</summary>
    public static IEnumerable<string> ModeArgs(WaitMode mode, double? pollMicros) =>
        mode == WaitMode.Hybrid && pollMicros is { } us
            ? ["--mode", mode.Name(), "--poll-us", Invariant(us)]
            : ["--mode", mode.Name()];

    /// <summary><paramref name="value"/> as the programs parse it.</summary>
    public static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>
    /// Both programs' summaries, and the failure when one failed: what it said and its exit code, so <c>bench</c>
    /// exits as the program did (a bad <c>--ring-size</c> is 2, a foreign region 5). Of two that failed, the one that
    /// did not merely lose its peer (6) is the cause. A program that lost its peer still printed its summary.
    /// </summary>
    private static PairOutcome Summaries(ChildProcess consumer, ChildProcess producer)
    {
        var failed = new[] { consumer, producer }.Where(c => c.ExitCode is not (ExitCodes.Ok or ExitCodes.VerificationFailed)
            || SummaryLine(c) is null).ToList();
        RunFailedException? failure = null;
        if (failed.Count > 0)
        {
            var cause = failed.FirstOrDefault(c => c.ExitCode != ExitCodes.PeerLost) ?? failed[0];
            string why = cause.Stderr.Trim();
            failure = new RunFailedException(why.Length > 0 ? why : $"{cause.Name} exited with code {cause.ExitCode} and no summary",
                ExitCodeOf(cause));
        }
        return new PairOutcome(TrySummary(consumer), TrySummary(producer), failure);
    }

    private static RunSummary? TrySummary(ChildProcess child) =>
        SummaryLine(child) is { } line ? RunSummary.FromJson(line) : null;

    /// <summary>The summary line of a program that finished its run (exit 0, or 3 when packets were lost or bad) or
    /// lost its peer (exit 6, when it could still count what it had).</summary>
    private static string? SummaryLine(ChildProcess child)
    {
        string? last = child.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return child.ExitCode is (ExitCodes.Ok or ExitCodes.VerificationFailed or ExitCodes.PeerLost) && last is not null
            && last.StartsWith('{') ? last : null;
    }

    /// <summary>The JSON summary on the last line of what <paramref name="child"/> printed (it ran with <c>--json</c>);
    /// throws <see cref="RunFailedException"/> with its error line, and its exit code, when it failed or printed none.</summary>
    public static RunSummary SummaryOf(ChildProcess child)
    {
        if (child.ExitCode is not (ExitCodes.Ok or ExitCodes.VerificationFailed) || SummaryLine(child) is not { } line)
        {
            string why = child.Stderr.Trim();
            throw new RunFailedException(why.Length > 0 ? why : $"{child.Name} exited with code {child.ExitCode} and no summary", ExitCodeOf(child));
        }
        return RunSummary.FromJson(line) ?? throw new RunFailedException($"{child.Name} printed an empty summary");
    }

    /// <summary>A failed program's exit code when it is one of <see cref="ExitCodes"/>; 1 otherwise (killed by a signal).</summary>
    private static int ExitCodeOf(ChildProcess child) => child.ExitCode switch
    {
        ExitCodes.Usage or ExitCodes.RegionMissing or ExitCodes.RegionUnusable or ExitCodes.PeerLost
            or ExitCodes.ProtocolViolation or ExitCodes.Interrupted => child.ExitCode,
        _ => ExitCodes.Failure,
    };
}

/// <summary>What a pair run left: each program's summary (null when it printed none) and, when one failed, why.</summary>
internal sealed record PairOutcome(RunSummary? Consumer, RunSummary? Producer, RunFailedException? Failure);
