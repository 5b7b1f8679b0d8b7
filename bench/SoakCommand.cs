using System.Diagnostics;
using Ring;
using Ring.Harness.Hosting;
using static Bench.ProgramPair;

namespace Bench;

/// <summary>
/// <c>bench soak</c>: one Consumer with <c>--reconnect</c> for the whole run, and producers in sequence, each sending as
/// fast as it can in the next wait mode (poll, event, hybrid: the consumer's mode is its process's, so it stays as
/// <c>--mode</c> says), two in three killed (SIGKILL) and the rest stopped (SIGTERM) mid-stream, the last ending its
/// stream. What every session moved is then checked by <see cref="SessionCheck"/>, and the consumer's RSS compared
/// from its first session to its last.
/// </summary>
internal static class SoakCommand
{
    private static readonly string[] ProducerModes = ["poll", "event", "hybrid"];

    /// <summary>How often the consumer's RSS is read along the way, in sessions.</summary>
    public const int SessionsPerSample = 20;

    public static int Run(SoakOptions options)
    {
        var result = Execute(options, Console.Error);
        return options.Print(Table(result), result.ToJson, result.Clean);
    }

    /// <summary>Runs the soak and returns what it found; <paramref name="progress"/> gets a line every few sessions.</summary>
    public static SoakResult Execute(SoakOptions options, TextWriter progress)
    {
        var mode = options.Validate();
        var (consumerCpu, producerCpu) = ParseCpus(options.Cpus);
        string region = options.RegionOrDefault("soak");
        var random = new Random(options.Seed);
        var result = new SoakResult { ConsumerMode = mode.Name(), RssBoundKib = (long)(options.MaxRssGrowthMb * 1024) };
        var started = Stopwatch.StartNew();
        var length = TimeSpan.FromMinutes(options.Minutes);
        using var consumer = ReconnectingConsumer.Start(region, mode.Name(), consumerCpu);
        for (int session = 1; ; session++)
        {
            string producerMode = ProducerModes[(session - 1) % ProducerModes.Length];
            result.ProducerModes[producerMode] = result.ProducerModes.GetValueOrDefault(producerMode) + 1;
            var runFor = TimeSpan.FromSeconds(options.SessionSeconds * (0.5 + random.NextDouble()));
            bool last = started.Elapsed + runFor >= length;
            using var producer = ReconnectingConsumer.StartProducer(region, producerCpu, producerMode, 0,
                ["--seconds", Invariant(last ? runFor.TotalSeconds : 3600)]);
            consumer.AwaitAttached(session, producer);
            // The first reading once the first session is under way, the last once the last is.
            if (session == 1)
                result.RssStartKib = consumer.ResidentKib() ?? 0;
            if (last)
            {
                result.RssEndKib = consumer.ResidentKib() ?? 0;
                result.Sessions = session;
                Finish(result, consumer, producer, runFor);
                break;
            }
            Thread.Sleep(runFor);
            End(result, consumer, producer, killed: random.Next(3) != 0);
            if (session % SessionsPerSample == 0 && consumer.ResidentKib() is { } rss)
            {
                result.RssSamplesKib.Add(rss);
                progress.WriteLine($"soak: {started.Elapsed.TotalMinutes:0.0} min, {session} sessions, RSS {rss} KiB");
            }
        }
        result.Seconds = Math.Round(started.Elapsed.TotalSeconds, 1);
        return result;
    }

    /// <summary>Kills or stops <paramref name="producer"/> mid-stream and waits for the consumer to say it was lost.</summary>
    private static void End(SoakResult result, ReconnectingConsumer consumer, ChildProcess producer, bool killed)
    {
        long endedAt = Stopwatch.GetTimestamp();
        if (killed)
        {
            producer.Kill();
            result.Killed++;
        }
        else
        {
            producer.Terminate();
            result.Stopped++;
        }
        if (consumer.NextLoss() is not { } loss)
        {
            if (!consumer.Running)
                throw new RunFailedException($"soak: the consumer ended when its producer was {(killed ? "killed" : "stopped")}\n{consumer.Describe()}");
            result.Unexplained.Add($"a producer was {(killed ? "killed" : "stopped")} and the consumer did not say so within {ReconnectingConsumer.LossDeadline.TotalSeconds:0} s");
            return;
        }
        result.WorstDetectionMs = Math.Max(result.WorstDetectionMs, Math.Round(Stopwatch.GetElapsedTime(endedAt, loss.Timestamp).TotalMilliseconds, 1));
        producer.Stop(ReconnectingConsumer.LossDeadline); // a stopped one is gone by now; this reaps it
    }

    /// <summary>Lets the last producer end its stream, then checks every session the consumer reports.</summary>
    private static void Finish(SoakResult result, ReconnectingConsumer consumer, ChildProcess producer, TimeSpan runFor)
    {
        var deadline = DateTime.UtcNow + runFor + TimeSpan.FromSeconds(30);
        if (!producer.WaitUntil(deadline))
            throw new RunFailedException($"soak: the last producer did not finish\n{producer.Describe()}\n{consumer.Describe()}");
        var check = SessionCheck.Of(consumer.Finish(deadline), SummaryOf(producer), result.Sessions, ReconnectingConsumer.RingEntries);
        result.Packets = check.Packets;
        result.LeftInFlight = check.LeftInFlight;
        result.Unexplained.AddRange(check.Unexplained);
    }

    private static string Table(SoakResult r) => string.Join('\n',
        $"soak: {r.Seconds:0} s, consumer {r.ConsumerMode}, producers at saturation: "
            + string.Join(", ", r.ProducerModes.Select(m => $"{m.Value} {m.Key}")),
        $"sessions {r.Sessions} ({r.Killed} killed, {r.Stopped} stopped, the last ended its stream), packets {r.Packets}, "
            + $"left in flight by lost producers {r.LeftInFlight}, unexplained gaps {r.Unexplained.Count}",
        $"worst time to notice a lost producer {r.WorstDetectionMs:0.0} ms",
        $"consumer RSS: {r.RssStartKib} KiB after the first session was up, {r.RssEndKib} KiB in the last: "
            + $"{r.RssEndKib - r.RssStartKib:+0;-0;0} KiB (bound +{r.RssBoundKib} KiB); every {SessionsPerSample} sessions: "
            + (r.RssSamplesKib.Count == 0 ? "-" : string.Join(", ", r.RssSamplesKib)),
        string.Join('\n', r.Unexplained.Select(u => "unexplained: " + u).DefaultIfEmpty("")).TrimEnd('\n'),
        r.Clean ? "result: ok, every gap explained, memory flat" : "result: FAILED, an unexplained gap or the RSS grew beyond its bound").Replace("\n\n", "\n");
}
