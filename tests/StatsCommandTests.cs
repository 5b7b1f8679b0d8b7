using Bench;
using Ring.Harness.Hosting;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// <c>bench stats</c> through the real binaries: a waiting region, a running pair watched until it ends, the exit
/// codes for a missing, foreign, killed (while watched, and before) or interrupted case, and nothing but one line on
/// standard error when it fails. The output here is never a terminal, so a watch prints one block (or JSON line) per
/// interval.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class StatsCommandTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly ProgramRunner _runner = new();

    [Fact]
    public void Stats_WaitingRegion_PrintsOneBlockAndExitsZero()
    {
        var consumer = StartWaitingConsumer();

        var result = _runner.Run("bench", "stats", "--region", _runner.Region);

        Assert.True(result.ExitCode == ExitCodes.Ok && result.Stderr.Length == 0, result.ToString());
        Assert.Contains($"region    {_runner.RegionFile}", result.Stdout);
        Assert.Contains("rates over 1.0", result.Stdout);
        Assert.Contains("state     WaitingForDevice", result.Stdout);
        Assert.Contains($"guest     pid {consumer.Pid} (running), waits poll", result.Stdout);
        Assert.Contains("device    none attached yet", result.Stdout);
        Assert.Contains("queue 0", result.Stdout);
        Assert.Contains("  drops       none", result.Stdout);
        Assert.Contains("  rings       fill ", result.Stdout);
        Assert.DoesNotContain("\x1b[", result.Stdout);
    }

    [Fact]
    public void Stats_RegionGivenAsPath_OpensTheSameRegion()
    {
        StartWaitingConsumer();

        var result = _runner.Run("bench", "stats", "--region", _runner.RegionFile, "--json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal(_runner.RegionFile, StatsSample.FromJson(result.Stdout.Trim())?.Region);
    }

    [Fact]
    public void StatsWatch_RunningPairUntilItEnds_CountersMoveThenExits6WithOneLine()
    {
        // The consumer sleeps between the paced producer's bursts, so doorbells and wake-ups move too.
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--mode", "event", "--json");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--wait", "30", "--seconds", "3", "--rate", "50000");
        RegionWatch.WaitForRunning(_runner, Deadline, consumer, producer);

        var stats = _runner.Run("bench", "stats", "--region", _runner.Region, "--watch", "0.5", "--json");
        var pair = _runner.WaitAll(Deadline, consumer, producer);

        Assert.True(pair.All(r => r.ExitCode == ExitCodes.Ok), ProgramRunner.Describe(pair));
        ProgramAssert.FailedWithOneLine(stats, "bench", ExitCodes.PeerLost, $"region {_runner.RegionFile} ended");
        var samples = stats.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(StatsSample.FromJson).ToList();
        Assert.True(samples.Count >= 4, $"{samples.Count} samples in a 3 s run watched every 0.5 s\n{stats}");
        Assert.Null(samples[0]!.IntervalSeconds);
        Assert.All(samples.Skip(1), s => Assert.InRange(s!.IntervalSeconds!.Value, 0.2, 5));
        Assert.Equal((consumer.Pid, producer.Pid), (samples[1]!.Guest.Pid, samples[1]!.Device.Pid));
        Assert.Equal(("event", "poll"), (samples[1]!.Guest.WaitMode, samples[1]!.Device.WaitMode));
        var received = samples.Select(s => s!.Queues[0].Rx.Packets).ToList();
        Assert.True(received.SequenceEqual(received.Order()) && received[^1] > received[0], $"rx packets did not grow: {string.Join(", ", received)}");
        Assert.Contains(samples, s => s!.Queues[0].Rx.PacketsPerSecond > 0);
        var last = samples[^1]!.Queues[0];
        Assert.True(last.DoorbellsToGuest > 0 && last.GuestSleeps.Wakeups > 0 && last.GuestSleeps.PacketsPerWakeup > 0, stats.Stdout);
        Assert.Equal(pair[0].Summary().Received, (ulong)received[^1]); // the last block holds the final counts
    }

    [Fact]
    public void StatsWatch_Sigterm_ExitsInterruptedQuietly()
    {
        StartWaitingConsumer();
        var stats = _runner.Start("bench", "stats", "--region", _runner.Region, "--watch", "0.2");
        Thread.Sleep(TimeSpan.FromSeconds(1.5)); // its start and a few intervals

        stats.Terminate();
        var result = _runner.WaitAll(Deadline, stats)[0];

        Assert.True(result.ExitCode == ExitCodes.Interrupted && result.Stderr.Length == 0, result.ToString());
        string[] blocks = result.Stdout.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(blocks.Count(b => b.StartsWith("region ", StringComparison.Ordinal)) >= 2, $"not one block per interval\n{result}");
        Assert.DoesNotContain("\x1b[", result.Stdout);
    }

    [Fact]
    public void StatsWatch_GuestKilled_PrintsTheLastBlockThenExits6NamingTheDeadGuest()
    {
        var consumer = StartWaitingConsumer();
        var stats = _runner.Start("bench", "stats", "--region", _runner.Region, "--watch", "0.2");
        _runner.WaitUntil(() => MapsTheRegion(stats.Pid), "bench stats had the region mapped", Deadline, stats, consumer);

        // The block after the kill shows the guest gone: its socket hung up, whether or not its process was reaped yet.
        consumer.Kill();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = _runner.WaitAll(Deadline, stats)[0];

        ProgramAssert.FailedWithOneLine(result, "bench", ExitCodes.PeerLost,
            $"region {_runner.RegionFile} ended: the guest (pid {consumer.Pid}) is gone");
        int lastBlock = result.Stdout.LastIndexOf($"region    {_runner.RegionFile}", StringComparison.Ordinal);
        Assert.True(lastBlock >= 0, $"no block shown\n{result}");
        Assert.Contains($"guest     pid {consumer.Pid} (gone)", result.Stdout[lastBlock..]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"bench stats took {clock.Elapsed.TotalSeconds:0.0} s to see the guest gone\n{result}");
    }

    [Fact]
    public void Stats_RegionLeftByAKilledGuest_Exits5SayingNoGuestAnswers()
    {
        var consumer = StartWaitingConsumer();
        consumer.Kill(); // its socket stays, with nobody listening

        var result = _runner.Run("bench", "stats", "--region", _runner.Region);

        ProgramAssert.FailedWithOneLine(result, "bench", ExitCodes.RegionUnusable, "no guest answers on it");
        Assert.True(result.Stdout.Length == 0, result.ToString());
    }

    [Fact]
    public void Stats_MissingRegion_Exits4()
    {
        var result = _runner.Run("bench", "stats", "--region", _runner.Region);

        ProgramAssert.FailedWithOneLine(result, "bench", ExitCodes.RegionMissing, "not found");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8192)]
    public void Stats_ForeignFile_Exits5AndLeavesItAlone(int length)
    {
        var bytes = new byte[length];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(_runner.RegionFile, bytes);

        var result = _runner.Run("bench", "stats", "--region", _runner.Region, "--watch", "1");

        ProgramAssert.FailedWithOneLine(result, "bench", ExitCodes.RegionUnusable, "is not a Ring region: a regular file");
        Assert.Equal(bytes, File.ReadAllBytes(_runner.RegionFile));
    }

    public void Dispose() => _runner.Dispose();

    private ProgramRunner.Child StartWaitingConsumer()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30");
        _runner.WaitForRegion(consumer, Deadline);
        return consumer;
    }

    /// <summary>Whether process <paramref name="pid"/> maps this test's region (the guest's sealed memory, a memfd).</summary>
    private bool MapsTheRegion(int pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/maps").Any(line => line.Contains("/memfd:", StringComparison.Ordinal)
                && line.Contains(_runner.Region, StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false; // exited: WaitUntil says so
        }
    }
}
