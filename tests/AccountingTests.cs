using System.Diagnostics;
using Bench;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// sent = received + dropped + in flight, through the real binaries: <c>bench pair</c> prints it exact with nothing in
/// flight after a clean run in every direction and wait mode (and in buffers for chained frames), and when a program
/// is killed mid-run the survivor still prints its summary (exit 6) with what the dead one had counted in the region,
/// so the pair's line says how many packets are unaccounted for instead of pretending.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class AccountingTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly ProgramRunner _runner = new();

    [Theory]
    [InlineData("rx", "poll")]
    [InlineData("tx", "poll")]
    [InlineData("both", "poll")]
    [InlineData("rx", "event")]
    [InlineData("tx", "event")]
    [InlineData("both", "event")]
    [InlineData("rx", "hybrid")]
    [InlineData("tx", "hybrid")]
    [InlineData("both", "hybrid")]
    public void Pair_CleanRun_AccountingExactWithNothingInFlight(string direction, string mode)
    {
        long sent = direction == "both" ? 40_000 : 20_000;

        var (result, stdout) = Pair("--direction", direction, "--mode", mode, "--packets", "20000");

        var a = result.Accounting;
        Assert.True(a.Exact && result.Clean, stdout);
        Assert.Equal((sent, sent, 0L, 0L, 0L), (a.Sent, a.Received, a.Dropped, a.InFlight, a.Unaccounted));
        Assert.Equal((ulong)sent, result.Received);
        Assert.Contains($"accounting: sent {sent} = received {sent} + dropped 0 + in flight 0\n", stdout);
    }

    [Fact]
    public void Pair_ChainedFrames_AccountsInBuffers()
    {
        var (result, stdout) = Pair("--size", "3000", "--verify", "full", "--packets", "10000");

        Assert.True(result.Accounting.Exact && result.Clean, stdout);
        Assert.Equal((10_000UL, 20_000L), (result.Received, result.Accounting.Received));
        Assert.Contains("accounting: sent 20000 = received 20000 + dropped 0 + in flight 0 (buffers: a frame is 2)", stdout);
    }

    [Fact]
    public void PeerKilled_Producer_ConsumerAccountsForAllItPublishedAndNothingIsUnaccounted()
    {
        var (consumer, producer) = StartPair();
        RegionWatch.WaitForPackets(_runner, 1000, Deadline, consumer, producer);

        producer.Kill();
        var result = _runner.WaitAll(Deadline, consumer)[0];

        ProgramAssert.FailedWithOneLine(result, "Consumer", ExitCodes.PeerLost, "died");
        var summary = result.Summary();
        var own = summary.Accounting;
        Assert.Contains("died", summary.PeerLost);
        Assert.True(own.PeerSent == own.Received + own.Dropped && own.InFlight == 0 && own.Received == (long)summary.Received,
            summary.ToJson()); // it read everything the dead producer had published, and counted it
        var pair = PairAccounting.Of(Direction.Rx, summary, producer: null);
        Assert.Equal((own.PeerSent, 0L), (pair.Sent, pair.Unaccounted));
        Assert.EndsWith("; the producer was lost: 0 unaccounted for", pair.Line());
    }

    [Fact]
    public void PeerKilled_Consumer_ProducerSaysHowManyAreUnaccountedFor()
    {
        var (consumer, producer) = StartPair();
        RegionWatch.WaitForPackets(_runner, 1000, Deadline, consumer, producer);

        consumer.Kill();
        var result = _runner.WaitAll(Deadline, producer)[0];

        ProgramAssert.FailedWithOneLine(result, "Producer", ExitCodes.PeerLost, "died");
        var summary = result.Summary();
        var own = summary.Accounting;
        Assert.True(own.Sent == (long)summary.Sent && own.PeerReceived is > 0 && own.PeerReceived <= own.Sent, summary.ToJson());
        var pair = PairAccounting.Of(Direction.Rx, consumer: null, summary);
        // Whatever the dead consumer received was never reported checked, and what was still in the ring is lost.
        long inFlight = own.Sent - own.PeerReceived!.Value - own.PeerDropped!.Value;
        Assert.Equal((own.Sent, inFlight, own.Sent - own.PeerDropped.Value), (pair.Sent, pair.InFlight, pair.Unaccounted));
        Assert.EndsWith($"; the consumer was lost: {pair.Unaccounted} unaccounted for ({inFlight} in flight, "
            + $"{own.PeerReceived} received by it, their checks lost with it)", pair.Line());
    }

    [Fact]
    public void Pair_ProducerKilledMidRun_OneLineWithTheCauseAndTheAccounting()
    {
        var bench = _runner.Start("bench", "pair", "--seconds", "60", "--rate", "100000", "--cpus", "", "--region", _runner.Region);
        RegionWatch.WaitForPackets(_runner, 1000, Deadline, bench);

        using (var producer = Process.GetProcessById(ProgramPid("Producer")))
            producer.Kill();
        var result = _runner.WaitAll(Deadline, bench)[0];

        ProgramAssert.FailedWithOneLine(result, "bench", ExitCodes.Failure, "producer exited with code 137 and no summary; accounting: sent ");
        Assert.EndsWith("; the producer was lost: 0 unaccounted for", result.Stderr.TrimEnd());
    }

    public void Dispose() => _runner.Dispose();

    /// <summary>The pid of the <paramref name="program"/> (Consumer or Producer) that runs on this test's region.</summary>
    private int ProgramPid(string program)
    {
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid))
                continue;
            try
            {
                string[] arguments = File.ReadAllText(Path.Combine(folder, "cmdline")).Split('\0');
                if (Path.GetFileName(arguments[0]) == program && arguments.Contains(_runner.Region))
                    return pid;
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
        }
        Assert.Fail($"no {program} runs on region {_runner.Region}");
        return 0;
    }

    /// <summary>Runs <c>bench pair</c> unpinned with <paramref name="arguments"/>; it must exit 0. Returns its JSON result
    /// and everything it printed.</summary>
    private (PairResult Result, string Stdout) Pair(params string[] arguments)
    {
        var run = _runner.WaitAll(Deadline, _runner.Start("bench", ["pair", "--cpus", "", "--region", _runner.Region, "--json", .. arguments]))[0];
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        string last = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return (PairResult.FromJson(last)!, run.Stdout);
    }

    /// <summary>A consumer and a paced producer that would run for a minute, both printing JSON.</summary>
    private (ProgramRunner.Child Consumer, ProgramRunner.Child Producer) StartPair()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--wait", "30", "--seconds", "60", "--rate", "100000", "--json");
        return (consumer, producer);
    }
}
