using Bench;
using Ring.Harness.Hosting;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// <c>bench kills</c> and <c>bench soak</c> on short runs through the built bench program (the kills come from the
/// bench process, whose signals arrive, unlike the test host's), and <see cref="SessionCheck"/> on summaries made up
/// to hold each kind of unexplained gap. Nothing here asserts a speed beyond the 1 s the issue promises for noticing
/// a death; every run has a deadline.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ReconnectBenchTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(150);

    private readonly ProgramRunner _runner = new();

    [Fact]
    public void Kills_ThreeInEachMode_EachNoticedWithinASecondAndTheRunAddsUp()
    {
        var result = _runner.WaitAll(Deadline, _runner.Start("bench", "kills", "--count", "3", "--json", "--cpus", "", "--region", _runner.Region))[0];

        Assert.True(result.ExitCode == 0, result.ToString());
        var kills = KillsResult.FromJson(LastLine(result));
        Assert.NotNull(kills);
        Assert.Equal(["poll", "event", "hybrid"], kills.Modes.Select(m => m.Mode));
        foreach (var mode in kills.Modes)
        {
            Assert.True(mode.DetectionMs.Count == 3 && mode.Missed == 0 && mode.NotDeaths.Count == 0, result.ToString());
            Assert.True(mode.MinMs > 0 && mode.MinMs <= mode.MedianMs && mode.MedianMs <= mode.MaxMs && mode.MaxMs <= 1000, result.ToString());
            Assert.True(mode.Sessions == 4 && mode.Packets > 0 && mode.Unexplained.Count == 0, result.ToString());
        }
        Assert.Contains("result: ok, every kill noticed within 1000 ms", result.Stdout);
    }

    [Fact]
    public void Soak_EighteenSeconds_ProducersComeAndGoWithNoUnexplainedGap()
    {
        var result = _runner.WaitAll(Deadline, _runner.Start("bench", "soak", "--minutes", "0.3", "--session-seconds", "1.5",
            "--json", "--cpus", "", "--region", _runner.Region))[0];

        Assert.True(result.ExitCode == 0, result.ToString());
        var soak = SoakResult.FromJson(LastLine(result));
        Assert.NotNull(soak);
        Assert.True(soak.Sessions >= 4 && soak.Killed + soak.Stopped == soak.Sessions - 1 && soak.Killed > 0, result.ToString());
        Assert.True(soak.ProducerModes.Keys.Order().SequenceEqual(["event", "hybrid", "poll"]), result.ToString());
        Assert.True(soak.Packets > 0 && soak.Unexplained.Count == 0, result.ToString());
        Assert.True(soak.RssStartKib > 0 && soak.RssEndKib > 0 && soak.WorstDetectionMs is > 0 and <= 1000, result.ToString());
        Assert.Contains("unexplained gaps 0", result.Stdout);
    }

    [Fact]
    public void SessionCheck_LostProducersGapsWithinTheRing_AddsUp()
    {
        var check = SessionCheck.Of(Consumer(Session(1, 5000, 4990, "the device (pid 1) died"), Session(2, 300, 300, "")), Producer(300), 2, 1024);

        Assert.True(check.Clean, string.Join("\n", check.Unexplained));
        Assert.Equal((2, 5290L, 10L), (check.Sessions, check.Packets, check.LeftInFlight));
    }

    [Fact]
    public void SessionCheck_GapLargerThanTheRing_IsUnexplained()
    {
        var check = SessionCheck.Of(Consumer(Session(1, 5000, 3000, "the device (pid 1) died"), Session(2, 300, 300, "")), Producer(300), 2, 1024);

        Assert.Contains(check.Unexplained, u => u.StartsWith("session 1 (the device (pid 1) died)") && u.Contains("a gap of 2000, not 0..1024"));
    }

    [Fact]
    public void SessionCheck_LastProducerSentMoreThanArrived_IsUnexplained()
    {
        var check = SessionCheck.Of(Consumer(Session(1, 300, 300, "")), Producer(301), 1, 1024);

        Assert.Contains(check.Unexplained, u => u.StartsWith("the last session: the producer sent 301"));
    }

    [Fact]
    public void SessionCheck_MissingPacketsOrFewerSessions_AreUnexplained()
    {
        var consumer = Consumer(Session(1, 300, 300, ""));
        consumer.Missing = 2;

        var check = SessionCheck.Of(consumer, Producer(300), 2, 1024);

        Assert.Contains(check.Unexplained, u => u.StartsWith("verification: 0 bad, 0 duplicates, 2 missing"));
        Assert.Contains(check.Unexplained, u => u.StartsWith("2 producers, but the consumer counted 1 sessions"));
    }

    private static SessionAccounting Session(int number, long peerSent, long read, string lost) =>
        new() { Session = number, PeerSent = peerSent, Received = read, Read = read, InFlight = peerSent - read, Lost = lost };

    /// <summary>A consumer's summary as it prints one after these sessions.</summary>
    private static RunSummary Consumer(params SessionAccounting[] sessions)
    {
        long received = sessions.Sum(s => s.Received);
        long sent = sessions.Sum(s => s.PeerSent ?? 0);
        return new RunSummary
        {
            Role = "consumer",
            Received = (ulong)received,
            Sessions = sessions.Length,
            Accounting = new RingAccounting { Received = received, PeerSent = sent, InFlight = sent - received, BySession = [.. sessions] },
        };
    }

    private static RunSummary Producer(ulong sent) => new() { Role = "producer", Sent = sent };

    private static string LastLine(ProgramRunner.Result result) =>
        result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";

    public void Dispose() => _runner.Dispose();
}
