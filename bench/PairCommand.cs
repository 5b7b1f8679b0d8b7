using System.Globalization;
using Ring;
using Ring.Hosting;
using Ring.Region;
using Ring.Traffic;
using Ring.Waiting;

namespace Bench;

/// <summary>
/// <c>bench pair</c>: starts the real Consumer (which creates the region) and then the real Producer as two
/// processes pinned to the given cores, waits for both with a deadline, and prints one table (and JSON).
/// Exits 0 only when every packet sent was received in order, nothing was dropped and both programs exited 0.
/// </summary>
internal static class PairCommand
{
    public static int Run(PairOptions options)
    {
        var result = Execute(options, out string table);
        Console.WriteLine(table);
        if (options.Json)
            Console.WriteLine(result.ToJson());
        return result.Clean ? ExitCodes.Ok : ExitCodes.VerificationFailed;
    }

    /// <summary>Runs the pair and returns the combined result; throws RingException when a program fails.</summary>
    public static PairResult Execute(PairOptions options, out string table)
    {
        var direction = DirectionNames.Parse(options.Direction);
        var mode = WaitModeNames.Parse("--mode", options.Mode);
        var deviceMode = options.DeviceMode is null ? mode : WaitModeNames.Parse("--device-mode", options.DeviceMode);
        if (options.PollMicros is not null && mode != WaitMode.Hybrid && deviceMode != WaitMode.Hybrid)
            throw new ArgumentException("--poll-us applies only when --mode or --device-mode is hybrid");
        _ = new SendPlan(options.Packets, options.Seconds, 1); // validates --packets/--seconds before starting anything
        var (consumerCpu, producerCpu) = ParseCpus(options.Cpus);
        string region = options.Region ?? $"pair-{Environment.ProcessId}";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(options.Timeout ?? DefaultTimeout(options));

        string[] common = ["--region", region, "--direction", options.Direction, "--size", Invariant(options.Size), "--json"];
        var consumerArgs = common.Concat(["--queues", Invariant(options.Queues), "--ring-size", Invariant(options.RingSize),
            "--buffer-size", Invariant(options.BufferSize)]);
        consumerArgs = consumerArgs.Concat(ModeArgs(mode, options.PollMicros));
        var producerArgs = common.Concat(["--wait", "10"]).Concat(ModeArgs(deviceMode, options.PollMicros))
            .Concat(["--coalesce-frames", Invariant(options.CoalesceFrames), "--coalesce-usecs", Invariant(options.CoalesceMicros)]);
        if ((direction & Direction.Tx) != 0)
            consumerArgs = consumerArgs.Concat(SendArgs(options));
        if ((direction & Direction.Rx) != 0)
            producerArgs = producerArgs.Concat(SendArgs(options));

        using var consumer = ChildProcess.Start("Consumer", consumerCpu, consumerArgs);
        using var producer = ChildProcess.Start("Producer", producerCpu, producerArgs);
        bool finished = consumer.WaitUntil(deadline) & producer.WaitUntil(deadline);
        if (!finished)
        {
            consumer.Kill();
            producer.Kill();
            File.Delete(RegionPath.Resolve(region));
            throw new RingException($"pair did not finish within {(options.Timeout ?? DefaultTimeout(options)):0} s; both processes killed");
        }
        var consumerSummary = SummaryOf(consumer);
        var producerSummary = SummaryOf(producer);
        var result = PairResult.Combine(consumerSummary, producerSummary);
        table = Table(result, consumerSummary, producerSummary, options.Cpus);
        return result;
    }

    private static IEnumerable<string> ModeArgs(WaitMode mode, double? pollMicros) =>
        mode == WaitMode.Hybrid && pollMicros is { } us ? ["--mode", mode.Name(), "--poll-us", Invariant(us)] : ["--mode", mode.Name()];

    private static IEnumerable<string> SendArgs(PairOptions options) =>
        options.Packets is { } p ? ["--packets", Invariant(p)]
        : options.Seconds is { } s ? ["--seconds", Invariant(s)]
        : [];

    private static double DefaultTimeout(PairOptions options) =>
        30 + (options.Seconds ?? SendPlan.DefaultSeconds) + (options.Packets ?? 0) / 1e6;

    private static (string?, string?) ParseCpus(string cpus)
    {
        if (string.IsNullOrWhiteSpace(cpus))
            return (null, null);
        string[] parts = cpus.Split(',');
        if (parts.Length != 2 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c < Environment.ProcessorCount))
            throw new ArgumentException($"--cpus takes two core numbers below {Environment.ProcessorCount}, like 0,1; not '{cpus}'");
        return (parts[0], parts[1]);
    }

    private static RunSummary SummaryOf(ChildProcess child)
    {
        string? last = child.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (child.ExitCode is not (ExitCodes.Ok or ExitCodes.VerificationFailed) || last is null || !last.StartsWith('{'))
        {
            string why = child.Stderr.Trim();
            throw new RingException(why.Length > 0 ? why : $"{child.Name} exited with code {child.ExitCode} and no summary");
        }
        return RunSummary.FromJson(last) ?? throw new RingException($"{child.Name} printed an empty summary");
    }

    private static string Table(PairResult r, RunSummary consumer, RunSummary producer, string cpus)
    {
        var lines = new List<string>
        {
            $"pair: consumer {r.Mode}, producer {r.DeviceMode}, {r.Size} B, {r.Queues} queue pair(s), direction {r.Direction}, cpus {(cpus.Length == 0 ? "unpinned" : cpus)}",
            $"{"side",-9} {"sent",12} {"received",12} {"bad",6} {"missing",8} {"dropped",8} {"seconds",8} {"Mpps",8} {"Gbps",7} {"cpu%",6} {"rung",9} {"sleeps",9} {"wakeups",9}",
        };
        foreach (var s in new[] { producer, consumer })
            lines.Add(Row(s.Role, s.Sent, s.Received, s.Bad, s.Missing, s.Dropped, s.Seconds, s.Mpps, s.Gbps)
                + $" {s.Cpu,6:0.0} {s.DoorbellsRung,9} {s.Sleeps,9} {s.Wakeups,9}");
        lines.Add(Row("total", r.Sent, r.Received, r.Bad, r.Missing, r.Dropped, r.Seconds, r.Mpps, r.Gbps));
        if (r.Wakeups != 0)
            lines.Add($"consumer: {r.PktsPerWakeup:0.0} packets per wake-up, {r.SpuriousWakeups} spurious wake-ups");
        lines.Add(r.Clean ? "result: ok, every packet received in order" : "result: FAILED, packets lost, bad or dropped");
        return string.Join('\n', lines);
    }

    private static string Row(string side, ulong sent, ulong received, ulong bad, ulong missing, long dropped, double seconds, double mpps, double gbps) =>
        $"{side,-9} {sent,12} {received,12} {bad,6} {missing,8} {dropped,8} {seconds,8:0.000} {mpps,8:0.00} {gbps,7:0.00}";

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
