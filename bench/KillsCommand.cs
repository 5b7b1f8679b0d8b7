using System.Diagnostics;
using Ring;
using Ring.Harness.Hosting;
using static Bench.ProgramPair;

namespace Bench;

/// <summary>
/// <c>bench kills</c>: per wait mode, one Consumer with <c>--reconnect</c> and a sequence of producers, each killed
/// (SIGKILL, from this process) while it sends at a steady rate; the detection time is from just before the kill to
/// the arrival of the consumer's line saying its producer died, so it also holds the line's trip through the pipe.
/// </summary>
internal static class KillsCommand
{
    public static int Run(KillsOptions options)
    {
        var result = Execute(options, Console.Error);
        return options.Print(Table(result), result.ToJson, result.Clean);
    }

    /// <summary>Runs every mode and returns what was measured; <paramref name="progress"/> gets one line per mode.</summary>
    public static KillsResult Execute(KillsOptions options, TextWriter progress)
    {
        var modes = options.Validate();
        var result = new KillsResult { LimitMs = options.LimitMillis, RatePps = options.Rate };
        foreach (var mode in modes)
        {
            var kills = KillIn(mode.Name(), options);
            progress.WriteLine($"kills: {mode.Name()}: worst detection {kills.MaxMs:0.0} ms of {kills.Kills}");
            result.Modes.Add(kills);
        }
        return result;
    }

    private static ModeKills KillIn(string mode, KillsOptions options)
    {
        var (consumerCpu, producerCpu) = ParseCpus(options.Cpus);
        string region = $"{options.RegionOrDefault("kills")}-{mode}";
        var kills = new ModeKills { Mode = mode, Kills = options.Count };
        using var consumer = ReconnectingConsumer.Start(region, mode, consumerCpu);
        var runFor = TimeSpan.FromMilliseconds(options.RunMillis);
        for (int session = 1; session <= options.Count; session++)
        {
            using var producer = ReconnectingConsumer.StartProducer(region, producerCpu, mode, options.Rate, ["--seconds", "3600"]);
            consumer.AwaitAttached(session, producer);
            Thread.Sleep(runFor);
            long killedAt = Stopwatch.GetTimestamp();
            producer.Kill();
            if (consumer.NextLoss() is not { } loss)
            {
                kills.Missed++;
                if (!consumer.Running)
                    throw new RunFailedException($"kills: {mode}: the consumer ended after kill {session}\n{consumer.Describe()}");
                continue;
            }
            kills.DetectionMs.Add(Math.Round(Stopwatch.GetElapsedTime(killedAt, loss.Timestamp).TotalMilliseconds, 3));
            if (!loss.Text.Contains(" died", StringComparison.Ordinal))
                kills.NotDeaths.Add(loss.Text);
        }
        // The last producer ends its stream, and the consumer with it.
        long packets = Math.Max(1, (long)(options.Rate * runFor.TotalSeconds));
        using var last = ReconnectingConsumer.StartProducer(region, producerCpu, mode, options.Rate, ["--packets", Invariant(packets)]);
        var deadline = DateTime.UtcNow + ReconnectingConsumer.AttachDeadline + runFor + TimeSpan.FromSeconds(30);
        if (!last.WaitUntil(deadline))
            throw new RunFailedException($"kills: {mode}: the last producer did not finish\n{last.Describe()}\n{consumer.Describe()}");
        var check = SessionCheck.Of(consumer.Finish(deadline), SummaryOf(last), options.Count + 1, ReconnectingConsumer.RingEntries);
        (kills.Sessions, kills.Packets, kills.LeftInFlight, kills.Unexplained) = (check.Sessions, check.Packets, check.LeftInFlight, [.. check.Unexplained]);
        kills.Summarize();
        return kills;
    }

    private static string Table(KillsResult result)
    {
        var lines = new List<string>
        {
            $"kills: each producer sent {result.RatePps:0} pps and was killed (SIGKILL); detection: kill to the consumer's line saying so",
            $"{"mode",-7} {"kills",6} {"seen",5} {"min ms",8} {"median ms",10} {"max ms",8} {"sessions",9} {"packets",10} {"in flight",10} {"adds up",8}",
        };
        foreach (var m in result.Modes)
            lines.Add($"{m.Mode,-7} {m.Kills,6} {m.DetectionMs.Count,5} {m.MinMs,8:0.0} {m.MedianMs,10:0.0} {m.MaxMs,8:0.0} {m.Sessions,9} "
                + $"{m.Packets,10} {m.LeftInFlight,10} {(m.Unexplained.Count == 0 ? "yes" : "NO"),8}");
        foreach (var m in result.Modes)
        {
            lines.AddRange(m.Unexplained.Select(u => $"{m.Mode}: {u}"));
            lines.AddRange(m.NotDeaths.Select(n => $"{m.Mode}: not reported as a death: {n}"));
        }
        lines.Add(result.Clean ? $"result: ok, every kill noticed within {result.LimitMs} ms (worst {result.Modes.Max(m => m.MaxMs):0.0} ms)"
            : $"result: FAILED, a kill noticed after more than {result.LimitMs} ms or never, or a run that does not add up");
        return string.Join('\n', lines);
    }
}
