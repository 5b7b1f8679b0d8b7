using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;
using static Bench.ProgramPair;

namespace Bench;

/// <summary>
/// <c>bench rtt</c>: ping-pong between the two real programs. The Consumer runs with <c>--echo</c> (every packet it
/// receives goes back on its TX ring); the Producer runs with <c>--rtt --packets N</c> (one packet in flight, the next
/// sent when its echo is back) and reports round-trip percentiles in its summary. With <c>--rate</c> the producer
/// also paces its pings (<c>--rate</c> of its own), so both sides go idle between them.
/// </summary>
internal static class RttCommand
{
    public static int Run(RttOptions options)
    {
        using var interrupt = new InterruptSignal();
        var result = Execute(options, interrupt.Token);
        Console.WriteLine(result);
        if (result.Overlapped)
            Console.Error.WriteLine($"bench: warning: {result.Count} round trips took {result.Seconds:0.000} s, less than half of "
                + $"count x p50 ({result.Count * (double)result.P50Ns / 1e9:0.000} s): more than one ping was in flight");
        if (options.Json)
            Console.WriteLine(result.ToJson());
        return ExitCodes.Ok;
    }

    /// <summary>Runs the ping-pong; throws RunFailedException when a program fails or echoes go missing, and
    /// OperationCanceledException when <paramref name="cancel"/> fires (both programs are stopped first).</summary>
    public static RttResult Execute(RttOptions options, CancellationToken cancel = default)
    {
        var (mode, deviceMode) = options.ValidateTwoProcess();
        if (options.Count is < 1 or > RttOptions.MaxCount)
            throw new ArgumentException($"--count must be 1..{RttOptions.MaxCount}, not {options.Count}");
        _ = new RatePacer(options.Rate); // validates --rate before starting anything
        string region = options.RegionOrDefault("rtt");

        string[] common = ["--region", region, "--size", Invariant(options.Size), "--json"];
        var consumerArgs = common.Concat(["--echo"]).Concat(ModeArgs(mode, options.PollMicros));
        var producerArgs = common.Concat(["--wait", "10", "--rtt", "--packets", Invariant(options.Count)])
            .Concat(ModeArgs(deviceMode, options.PollMicros));
        if (options.Rate > 0)
            producerArgs = producerArgs.Concat(["--rate", Invariant(options.Rate)]);
        // Generous: a slow-state futex round trip is under 40 us; allow 250 us each, plus the pacing.
        double pacedSeconds = options.Rate > 0 ? options.Count / options.Rate : 0;
        var timeout = TimeSpan.FromSeconds(options.Timeout ?? 30 + options.Count * 250e-6 + pacedSeconds);
        var (consumer, producer) = ProgramPair.Run("rtt", region, options.Cpus, options.Pin, consumerArgs, producerArgs, timeout, cancel);
        if (!consumer.Clean || !producer.Clean || producer.Received != (ulong)options.Count)
            throw new RunFailedException($"rtt: {options.Count} pings, {producer.Received} echoes back "
                + $"(bad {consumer.Bad + producer.Bad}, missing {consumer.Missing + producer.Missing}, dropped {consumer.Dropped + producer.Dropped})",
                ExitCodes.VerificationFailed);
        return new RttResult
        {
            Mode = consumer.Mode,
            DeviceMode = producer.Mode,
            Count = (long)producer.Received,
            Size = options.Size,
            RatePps = options.Rate,
            P50Ns = producer.P50Ns,
            P90Ns = producer.P90Ns,
            P99Ns = producer.P99Ns,
            P999Ns = producer.P999Ns,
            MaxNs = producer.MaxNs,
            Seconds = producer.Seconds,
            ConsumerCpu = consumer.Cpu,
            ProducerCpu = producer.Cpu,
            Wakeups = consumer.Wakeups,
            ConsumerInvoluntarySwitches = consumer.InvoluntarySwitches,
            ProducerInvoluntarySwitches = producer.InvoluntarySwitches,
            ConsumerVoluntarySwitches = consumer.VoluntarySwitches,
            ProducerVoluntarySwitches = producer.VoluntarySwitches,
        };
    }
}
