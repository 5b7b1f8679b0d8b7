using Ring.Harness.Hosting;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// A pause is not a death: a peer stopped with SIGSTOP (as a debugger or a long GC pause would hold it) keeps its
/// control socket open, so the other side reports a stall, waits it out, and loses nothing when the peer goes on.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PauseTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly ProgramRunner _runner = new();

    [Theory]
    [InlineData("poll")]
    [InlineData("event")]
    public void Consumer_ProducerStoppedThreeSeconds_ReportsAStallAndReceivesEverything(string mode)
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--mode", mode, "--stall-timeout", "1",
            "--attach-timeout", "30", "--json");
        // Stopped 1.5 s in (about 30000 packets into a 5 s stream), continued 3 s later.
        var producer = _runner.StartPausedAfter(TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3), "Producer", "--region", _runner.Region,
            "--mode", mode, "--rate", "20000", "--packets", "100000", "--wait", "30", "--json");
        var results = _runner.WaitAll(Deadline, consumer, producer);

        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), ProgramRunner.Describe(results));
        Assert.Contains("Producer: test: stopped", results[1].Stderr);
        Assert.DoesNotContain("kill:", results[1].Stderr); // the shell's kill -STOP and -CONT both found the producer
        var summary = results[0].Summary();
        Assert.Equal(100_000UL, summary.Received);
        Assert.Equal(0UL, summary.Bad + summary.Missing);
        Assert.Contains("stalled: no progress for", results[0].Stderr);
        Assert.Contains("a pause is not a death", results[0].Stderr);
        Assert.Contains("resumed after", results[0].Stderr);
    }

    [Fact]
    public void Consumer_ProducerStoppedPastTheStallLimit_FailsSayingSoAndTheProducerSeesItGo()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--mode", "event", "--stall-timeout", "0.5",
            "--stall-limit", "1.5", "--attach-timeout", "30", "--json");
        // Stopped 1 s in for 4 s: past the consumer's 1.5 s limit, which a pause alone never is.
        var producer = _runner.StartPausedAfter(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), "Producer", "--region", _runner.Region,
            "--mode", "event", "--rate", "20000", "--packets", "200000", "--wait", "30", "--json");
        var results = _runner.WaitAll(Deadline, consumer, producer);

        Assert.True(results[0].ExitCode == ExitCodes.Failure && results[0].Stderr.Contains("past --stall-limit"), ProgramRunner.Describe(results));
        Assert.Contains("stalled: no progress for", results[0].Stderr);
        Assert.True(results[1].ExitCode == ExitCodes.PeerLost, ProgramRunner.Describe(results));
    }

    public void Dispose() => _runner.Dispose();
}
