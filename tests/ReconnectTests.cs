using Ring.Harness.Hosting;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// <c>--reconnect</c>, as vhost-user's and memif's: either program outlives the other being killed (SIGKILL, so
/// nothing is said) and goes on with a new one, and the new session's stream arrives whole.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ReconnectTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly ProgramRunner _runner = new();

    [Theory]
    [InlineData("poll")]
    [InlineData("event")]
    public void Consumer_ProducerKilledMidStream_ResetsAndReceivesTheNextProducersStreamWhole(string mode)
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--mode", mode, "--reconnect",
            "--attach-timeout", "30", "--json");
        var first = _runner.Start("Producer", "--region", _runner.Region, "--mode", mode, "--rate", "50000",
            "--packets", "10000000", "--wait", "30");
        Thread.Sleep(TimeSpan.FromSeconds(1.5)); // about 75000 packets into a stream that would take 200 s
        Assert.False(first.HasExited, $"the first producer exited on its own\n{first.Collect()}");
        first.Kill();

        var second = _runner.Start("Producer", "--region", _runner.Region, "--mode", mode, "--packets", "200000",
            "--wait", "30", "--json");
        var results = _runner.WaitAll(Deadline, consumer, second);

        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), ProgramRunner.Describe(results));
        var summary = results[0].Summary();
        Assert.Equal(2, summary.Sessions);
        Assert.True(summary.Received > 200_000UL, $"the first session's packets are missing from the count\n{results[0]}");
        Assert.Equal(0UL, summary.Bad + summary.Missing);
        Assert.Equal(0L, summary.Dropped);
        Assert.Contains("session 1: the device", results[0].Stderr);
        Assert.Contains("died; resetting the device", results[0].Stderr);
        Assert.Contains("session 2: a new producer attached", results[0].Stderr);
        Assert.Equal(200_000UL, results[1].Summary().Sent);
        // Each session's own terms: the killed producer's count from the region, the second's from its end marks.
        var accounting = summary.Accounting;
        Assert.Equal(2, accounting.BySession.Count);
        var (killed, whole) = (accounting.BySession[0], accounting.BySession[1]);
        Assert.True(killed.Lost.Contains("died") && killed.PeerSent >= killed.Read && killed.InFlight == killed.PeerSent - killed.Read,
            results[0].ToString());
        Assert.Equal<(long?, long?, string)>((200_000, 0, ""), (whole.PeerSent, whole.InFlight, whole.Lost));
        Assert.Equal(accounting.PeerSent, accounting.Received + accounting.Dropped + accounting.InFlight);
    }

    [Theory]
    [InlineData("poll")]
    [InlineData("event")]
    public void Producer_ConsumerKilledMidStream_AttachesToTheNextConsumerWhichReceivesTheNewStreamWhole(string mode)
    {
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--mode", mode, "--reconnect",
            "--rate", "100000", "--packets", "300000", "--wait", "30", "--json");
        // Killed at about half of the first stream: the producer must see the guest die, not leave.
        var first = _runner.StartKilledAfter(TimeSpan.FromSeconds(2), "Consumer", "--region", _runner.Region, "--mode", mode,
            "--attach-timeout", "30");
        var killed = _runner.WaitAll(Deadline, first)[0];
        Assert.True(killed.ExitCode == 137, $"the first consumer was to be killed by SIGKILL\n{killed}");

        var second = _runner.Start("Consumer", "--region", _runner.Region, "--mode", mode, "--attach-timeout", "30", "--json");
        var results = _runner.WaitAll(Deadline, second, producer);

        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), ProgramRunner.Describe(results));
        var received = results[0].Summary();
        Assert.Equal(300_000UL, received.Received);
        Assert.Equal(0UL, received.Bad + received.Missing);
        Assert.Contains("replaced a stale region", results[0].Stderr);
        var sent = results[1].Summary();
        Assert.Equal(2, sent.Sessions);
        Assert.True(sent.Sent > 300_000UL, $"the first session's packets are missing from the count\n{results[1]}");
        Assert.Contains("session 1: the guest", results[1].Stderr);
        Assert.Contains("session 2: attached", results[1].Stderr);
    }

    [Fact]
    public void Consumer_ProducerKilledAndNoneComes_FailsWithPeerLostNamingTheWait()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--reconnect", "--attach-timeout", "2");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--rate", "50000", "--packets", "10000000", "--wait", "30");
        Thread.Sleep(TimeSpan.FromSeconds(1.5));
        Assert.False(producer.HasExited, $"the producer exited on its own\n{producer.Collect()}");
        producer.Kill();

        var result = _runner.WaitAll(Deadline, consumer)[0];

        Assert.Equal(ExitCodes.PeerLost, result.ExitCode);
        Assert.Contains("and no new producer attached within 2 s", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    public void Dispose() => _runner.Dispose();
}
