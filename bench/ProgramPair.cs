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
    /// <summary>Runs both programs and returns their JSON summaries; throws <see cref="RunFailedException"/> on failure.</summary>
    /// <param name="what">The command, for error messages ("pair", "rtt").</param>
    /// <param name="region">The region name both programs use.</param>
    /// <param name="cpus">Two core numbers, like "0,1", or empty for no pinning.</param>
    /// <param name="consumerArgs">The consumer's arguments, including <c>--json</c>.</param>
    /// <param name="producerArgs">The producer's arguments, including <c>--json</c> and <c>--wait</c>.</param>
    /// <param name="timeout">How long both may take together.</param>
    public static (RunSummary Consumer, RunSummary Producer) Run(string what, string region, string cpus,
        IEnumerable<string> consumerArgs, IEnumerable<string> producerArgs, TimeSpan timeout)
    {
        var (consumerCpu, producerCpu) = ParseCpus(cpus);
        var deadline = DateTime.UtcNow + timeout;
        using var consumer = ChildProcess.Start("Consumer", consumerCpu, consumerArgs);
        using var producer = ChildProcess.Start("Producer", producerCpu, producerArgs);
        bool finished = consumer.WaitUntil(deadline) & producer.WaitUntil(deadline);
        if (!finished)
        {
            consumer.Kill();
            producer.Kill();
            File.Delete(Path.Combine("/dev/shm", "ring-" + region));
            throw new RunFailedException($"{what} did not finish within {timeout.TotalSeconds:0} s; both processes killed\n"
                + consumer.Describe() + "\n" + producer.Describe());
        }
        return (SummaryOf(consumer), SummaryOf(producer));
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

    /// <summary>The JSON summary on the last line of what <paramref name="child"/> printed (it ran with <c>--json</c>);
    /// throws <see cref="RunFailedException"/> with its error line when it failed or printed none.</summary>
    public static RunSummary SummaryOf(ChildProcess child)
    {
        string? last = child.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (child.ExitCode is not (ExitCodes.Ok or ExitCodes.VerificationFailed) || last is null || !last.StartsWith('{'))
        {
            string why = child.Stderr.Trim();
            throw new RunFailedException(why.Length > 0 ? why : $"{child.Name} exited with code {child.ExitCode} and no summary");
        }
        return RunSummary.FromJson(last) ?? throw new RunFailedException($"{child.Name} printed an empty summary");
    }
}
