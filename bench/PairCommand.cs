using Ring.Harness.Hosting;
using Ring.Harness.Traffic;
using static Bench.ProgramPair;

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
        using var interrupt = new InterruptSignal();
        // The progress line names the region, for bench stats --region to watch it.
        var result = Execute(options, out string table, interrupt.Token, options.Json ? null : $"pair on {options.RegionOrDefault("pair")}");
        Console.WriteLine(table);
        if (options.Refs)
        {
            result.Refs = RefsCommand.TryExecute(RefsOptions.Block(options.Size, options.Cpus, options.Direction), Console.Error);
            Console.WriteLine(result.Refs.Text);
        }
        if (options.Json)
            Console.WriteLine(result.ToJson());
        if (result.Clean)
            return ExitCodes.Ok;
        Console.Error.WriteLine($"bench: pair verification failed: {result.Sent} sent, {result.Received} received, "
            + $"{result.Bad} bad, {result.Duplicates} duplicates, {result.Missing} missing, {result.Corrupt} corrupt, "
            + $"{result.Dropped} dropped; {result.Accounting.Line()}");
        return ExitCodes.VerificationFailed;
    }

    /// <summary>
    /// Runs the pair and returns the combined result; throws RunFailedException when a program fails (its one line ends
    /// with the accounting the survivor could still give, when its peer was lost), and
    /// OperationCanceledException when <paramref name="cancel"/> fires (both programs are stopped first). With a
    /// <paramref name="progressLabel"/>, shows the run's progress under that label on a terminal (<see cref="PairProgress"/>).
    /// </summary>
    public static PairResult Execute(PairOptions options, out string table, CancellationToken cancel = default, string? progressLabel = null)
    {
        var direction = DirectionNames.Parse(options.Direction);
        var (mode, deviceMode) = options.ValidateTwoProcess();
        _ = new SendPlan(options.Packets, options.Seconds, 1); // validates --packets/--seconds before starting anything
        _ = new RatePacer(options.Rate); // and --rate
        string region = options.RegionOrDefault("pair");

        _ = VerificationNames.Parse(options.Verify);
        string[] common = ["--region", region, "--direction", options.Direction, "--size", Invariant(options.Size),
            "--verify", options.Verify, "--json"];
        var consumerArgs = common.Concat(["--queues", Invariant(options.Queues), "--ring-size", Invariant(options.RingSize),
            "--buffer-size", Invariant(options.BufferSize)]);
        consumerArgs = consumerArgs.Concat(ModeArgs(mode, options.PollMicros));
        var producerArgs = common.Concat(["--wait", "10"]).Concat(ModeArgs(deviceMode, options.PollMicros))
            .Concat(["--coalesce-frames", Invariant(options.CoalesceFrames), "--coalesce-usecs", Invariant(options.CoalesceMicros)]);
        if ((direction & Direction.Tx) != 0)
            consumerArgs = consumerArgs.Concat(SendArgs(options));
        if ((direction & Direction.Rx) != 0)
            producerArgs = producerArgs.Concat(SendArgs(options));

        var timeout = TimeSpan.FromSeconds(options.Timeout ?? DefaultTimeout(options));
        int senders = direction == Direction.Both ? 2 : 1;
        using var progress = progressLabel is null ? null
            : PairProgress.OnTerminal(progressLabel, region, options.Packets is null ? options.Seconds ?? SendPlan.DefaultSeconds : null,
                options.Packets * senders);
        var outcome = ProgramPair.Collect("pair", region, options.Cpus, options.Pin, consumerArgs, producerArgs, timeout, cancel);
        int buffersPerFrame = (options.Size + options.BufferSize - 1) / options.BufferSize;
        if (outcome.Failure is { } failure)
        {
            if (outcome.Consumer is null && outcome.Producer is null)
                throw failure;
            var accounting = PairAccounting.Of(direction, outcome.Consumer, outcome.Producer, buffersPerFrame);
            throw new RunFailedException($"{failure.Message}; {accounting.Line()}", failure.ExitCode);
        }
        var (consumer, producer) = (outcome.Consumer!, outcome.Producer!);
        var result = PairResult.Combine(consumer, producer, buffersPerFrame);
        result.RatePps = options.Rate;
        table = Table(result, consumer, producer, options.Cpus.Length > 0 && options.Pin == PinModes.Poll ? $"{options.Cpus} (poll threads only)" : options.Cpus);
        return result;
    }

    private static IEnumerable<string> SendArgs(PairOptions options)
    {
        IEnumerable<string> amount = options.Packets is { } p ? ["--packets", Invariant(p)]
            : options.Seconds is { } s ? ["--seconds", Invariant(s)]
            : [];
        return options.Rate > 0 ? amount.Concat(["--rate", Invariant(options.Rate)]) : amount;
    }

    private static double DefaultTimeout(PairOptions options)
    {
        double packetSeconds = options.Packets is not { } p ? 0 : options.Rate > 0 ? p / options.Rate : p / 1e6;
        return 30 + (options.Seconds ?? SendPlan.DefaultSeconds) + packetSeconds;
    }

    private static string Table(PairResult r, RunSummary consumer, RunSummary producer, string cpus)
    {
        string load = r.RatePps > 0 ? $"offered {r.RatePps:0} pps per sender" : "unpaced";
        var lines = new List<string>
        {
            $"pair: consumer {r.Mode}, producer {r.DeviceMode}, {r.Size} B, {r.Queues} queue pair(s), direction {r.Direction}, {load}, cpus {(cpus.Length == 0 ? "unpinned" : cpus)}",
            $"{"side",-9} {"sent",12} {"received",12} {"bad",6} {"dup",6} {"missing",8} {"corrupt",8} {"dropped",8} {"seconds",8} {"Mpps",8} {"Gbps",7} {"cpu%",6} {"rung",9} {"sleeps",9} {"wakeups",9} {"alloc B",9} {"GCs",4} {"preempted",9} {"yielded",9}",
        };
        foreach (var s in new[] { producer, consumer })
            lines.Add(Row(s.Role, s.Sent, s.Received, s.Bad, s.Duplicates, s.Missing, s.Corrupt, s.Dropped, s.Seconds, s.Mpps, s.Gbps)
                + $" {s.Cpu,6:0.0} {s.DoorbellsRung,9} {s.Sleeps,9} {s.Wakeups,9} {s.AllocBytes,9} {s.Gcs,4} {s.InvoluntarySwitches,9} {s.VoluntarySwitches,9}");
        lines.Add(Row("total", r.Sent, r.Received, r.Bad, r.Duplicates, r.Missing, r.Corrupt, r.Dropped, r.Seconds, r.Mpps, r.Gbps));
        lines.Add(r.Accounting.Line());
        if (r.P50Ns != 0)
            lines.Add($"latency ({r.LatencyOf} receiving, one-way): p50 {r.P50Ns} ns, p90 {r.P90Ns} ns, p99 {r.P99Ns} ns, "
                + $"p99.9 {r.P999Ns} ns, max {r.MaxNs} ns");
        lines.Add("preempted, yielded: the poll threads' involuntary and voluntary context switches during the run (/proc)");
        if (PreemptedTail.Coincides(r.P50Ns, r.P99Ns, r.ReceiverInvoluntarySwitches))
            lines.Add($"p99 is {PreemptedTail.Ratio(r.P99Ns, r.P50Ns)}x p50: the tail is the box, not the transport: "
                + PreemptedTail.Preempted(r.LatencyOf, r.ReceiverInvoluntarySwitches, r.SenderRole, r.SenderInvoluntarySwitches));
        if (r.Wakeups != 0)
            lines.Add($"consumer: {r.PktsPerWakeup:0.0} packets per wake-up, {r.SpuriousWakeups} spurious wake-ups");
        lines.Add(r.Clean ? $"result: ok, every packet received in order{(r.Verify == "full" ? ", every byte checked" : "")}"
            : "result: FAILED, packets lost, bad, duplicated, corrupt or dropped, or the accounting does not add up");
        return string.Join('\n', lines);
    }

    private static string Row(string side, ulong sent, ulong received, ulong bad, ulong duplicates, ulong missing, ulong corrupt,
        long dropped, double seconds, double mpps, double gbps) =>
        $"{side,-9} {sent,12} {received,12} {bad,6} {duplicates,6} {missing,8} {corrupt,8} {dropped,8} {seconds,8:0.000} {mpps,8:0.00} {gbps,7:0.00}";
}
