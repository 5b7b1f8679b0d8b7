using System.Diagnostics;
using Ring.Harness.Hosting;
using Ring.Native;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// What the real programs do when something is wrong: bad arguments, a missing region, something at the region's
/// path that is not a guest's socket (a symlink, another user's socket, a file where the consumer would listen), a
/// region someone else already uses or a crashed consumer left behind, a peer that never comes or dies mid-run.
/// Each must end (never hang) with the documented exit code and exactly one line on standard error that names the
/// problem, and never print a stack trace. Foreign, other-version and corrupt regions, one case per row, are the
/// hostile-input corpus's (<see cref="HostileCorpusTests"/>).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ErrorPathTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PairDeadline = TimeSpan.FromSeconds(90);

    private readonly ProgramRunner _runner = new();

    public static TheoryData<string, string[], string> BadArguments => new()
    {
        { "Consumer", ["--size", "4096", "--buffer-size", "64", "--ring-size", "16"], "larger than a chain of buffers carries (16 of 64 bytes)" },
        { "Consumer", ["--ring-size", "1000"], "power of two" },
        { "Consumer", ["--direction", "sideways"], "unknown direction" },
        { "Producer", ["--direction", "sideways"], "unknown direction" },
        { "Consumer", ["--bogus"], "unknown option" },
        { "Producer", ["--packets", "0"], "--packets must be at least 1" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Program_BadArgument_ExitsUsageWithOneLine(string program, string[] arguments, string phrase)
    {
        var result = _runner.Run(program, [.. arguments, "--region", _runner.Region]);

        ProgramAssert.FailedWithOneLine(result, program, ExitCodes.Usage, phrase);
        Assert.True(_runner.FilesLeft().Count == 0, $"a rejected command line created {string.Join(", ", _runner.FilesLeft())}\n{result}");
    }

    [Theory]
    [InlineData("Consumer", "--ring-size")]
    [InlineData("Producer", "--wait")]
    public void Program_Help_PrintsUsageOnStdoutAndExitsZero(string program, string option)
    {
        var result = _runner.Run(program, "--help");

        Assert.True(result.ExitCode == ExitCodes.Ok, $"exit code {result.ExitCode}, expected 0\n{result}");
        Assert.True(result.Stdout.Contains("--region", StringComparison.Ordinal)
            && result.Stdout.Contains(option, StringComparison.Ordinal), $"no usage on stdout\n{result}");
        Assert.True(result.Stderr.Length == 0, $"help wrote to stderr\n{result}");
        ProgramAssert.NoStackTrace(result);
    }

    [Fact]
    public void Producer_MissingRegion_FailsNotFound()
    {
        var result = _runner.Run("Producer", "--region", _runner.Region, "--wait", "0");

        ProgramAssert.FailedWithOneLine(result, "Producer", ExitCodes.RegionMissing, "not found");
    }

    [Fact]
    public void Producer_MissingRegionWithWait_WaitsThatLongThenFailsNotFound()
    {
        var clock = Stopwatch.StartNew();
        var result = _runner.Run("Producer", "--region", _runner.Region, "--wait", "2");
        double seconds = clock.Elapsed.TotalSeconds;

        ProgramAssert.FailedWithOneLine(result, "Producer", ExitCodes.RegionMissing, "not found");
        // At least the wait; well short of the default 10 s (start-up on a busy box takes a second or two).
        Assert.True(seconds is >= 2 and < 7, $"the producer gave up after {seconds:0.00} s, expected about 2 s\n{result}");
    }

    [Fact]
    public void Consumer_ForeignFileAtTheRegionPath_FailsNotARingRegionAndLeavesIt()
    {
        File.WriteAllText(_runner.RegionFile, "precious");

        var result = _runner.Run("Consumer", "--region", _runner.Region, "--attach-timeout", "1");

        ProgramAssert.FailedWithOneLine(result, "Consumer", ExitCodes.RegionUnusable, "is not a Ring region: a regular file");
        Assert.Equal("precious", File.ReadAllText(_runner.RegionFile));
        Assert.Equal([_runner.RegionFile], _runner.FilesLeft()); // refused before it made a lock file
    }

    [Theory]
    [InlineData("Consumer", "--attach-timeout")]
    [InlineData("Producer", "--wait")]
    public void Program_RegionPathIsASymlink_FailsFollowingNothing(string program, string timeoutOption)
    {
        string target = Path.Combine(Path.GetTempPath(), $"ring-link-target-{Guid.NewGuid():N}");
        File.WriteAllText(target, "precious");
        try
        {
            File.CreateSymbolicLink(_runner.RegionFile, target);

            var result = _runner.Run(program, "--region", _runner.Region, timeoutOption, "1");

            ProgramAssert.FailedWithOneLine(result, program, ExitCodes.RegionUnusable, "symbolic link");
            Assert.Equal("precious", File.ReadAllText(target));
            Assert.Equal(target, new FileInfo(_runner.RegionFile).LinkTarget);
            Assert.Equal([_runner.RegionFile], _runner.FilesLeft());
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Fact]
    public void Producer_SymlinkToALiveConsumersSocket_FailsAndTheConsumerRunsOn()
    {
        var consumer = StartWaitingConsumer();
        using var other = new ProgramRunner();
        File.CreateSymbolicLink(other.RegionFile, _runner.RegionFile);

        var refused = other.Run("Producer", "--region", other.Region, "--wait", "1");

        ProgramAssert.FailedWithOneLine(refused, "Producer", ExitCodes.RegionUnusable, "symbolic link");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--packets", "1000", "--json");
        var results = _runner.WaitAll(PairDeadline, consumer, producer);
        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), $"the consumer behind the link was disturbed\n{ProgramRunner.Describe(results)}");
        Assert.Equal(1000UL, results[0].Summary().Received);
    }

    [RootFact]
    public void Program_ListeningSocketOfAnotherUser_BothFailAndLeaveIt()
    {
        // A live listener at the path, handed to uid 65534: neither program may talk to it or replace it.
        Assert.Equal(0, UnixSocket.Create(out var impostor));
        using (impostor)
        {
            Assert.Equal(0, UnixSocket.Bind(impostor!, _runner.RegionFile));
            Assert.Equal(0, UnixSocket.Listen(impostor!, 4));
            ControlListenerBindTests.Chown(_runner.RegionFile, 65534);
            Assert.Equal(0, Files.StatLink(_runner.RegionFile, out var before));

            var producer = _runner.Run("Producer", "--region", _runner.Region, "--wait", "1");
            var consumer = _runner.Run("Consumer", "--region", _runner.Region, "--attach-timeout", "1");

            ProgramAssert.FailedWithOneLine(producer, "Producer", ExitCodes.RegionUnusable, "owned by uid 65534");
            ProgramAssert.FailedWithOneLine(consumer, "Consumer", ExitCodes.RegionUnusable, "owned by uid 65534");
            Assert.Equal(0, Files.StatLink(_runner.RegionFile, out var after));
            Assert.True(after.IsSameFileAs(before), "the socket at the path was replaced");
            Assert.Equal([_runner.RegionFile], _runner.FilesLeft());
        }
    }

    [Fact]
    public void Producer_RegionDrivenByAnotherProducer_FailsAlreadyAndLeavesTheRunAlone()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        var first = _runner.Start("Producer", "--region", _runner.Region, "--wait", "30", "--seconds", "5", "--json");
        WaitForDriverOk(consumer, first);

        var second = _runner.Run("Producer", "--region", _runner.Region, "--seconds", "1");

        ProgramAssert.FailedWithOneLine(second, "Producer", ExitCodes.RegionUnusable, "already");
        var results = _runner.WaitAll(PairDeadline, consumer, first);
        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), $"the running pair was disturbed\n{ProgramRunner.Describe(results)}");
        var received = results[0].Summary();
        Assert.Equal(results[1].Summary().Sent, received.Received);
        Assert.Equal(0UL, received.Bad + received.Missing);
    }

    [Fact]
    public void Consumer_NoProducerWithinAttachTimeout_FailsTimedOutAndRemovesRegion()
    {
        var result = _runner.Run("Consumer", "--region", _runner.Region, "--attach-timeout", "1");

        ProgramAssert.FailedWithOneLine(result, "Consumer", ExitCodes.Failure, "timed out");
        Assert.True(_runner.FilesLeft().Count == 0, $"the consumer left {string.Join(", ", _runner.FilesLeft())} behind");
    }

    [Fact]
    public void Consumer_RegionInMissingDirectory_FailsCannotCreate()
    {
        var result = _runner.Run("Consumer", "--region", "/nonexistent-ring-dir/x");

        ProgramAssert.FailedWithOneLine(result, "Consumer", ExitCodes.Failure, "cannot create region /nonexistent-ring-dir/x");
        Assert.DoesNotContain("unexpected", result.Stderr);
        Assert.DoesNotContain(".tmp-", result.Stderr);
    }

    [Fact]
    public void Producer_PacketLongerThanTheRegionsChainsCarry_RefusesAndLeavesTheConsumerFreeForTheNextProducer()
    {
        // 16 buffers of 64 bytes carry 1024 bytes at most: a 2048-byte packet needs buffers of 128 bytes in any region.
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--buffer-size", "64",
            "--ring-size", "16", "--json");
        _runner.WaitForRegion(consumer, Deadline);

        var refused = _runner.Run("Producer", "--region", _runner.Region, "--wait", "30", "--size", "2048", "--packets", "10");

        ProgramAssert.FailedWithOneLine(refused, "Producer", ExitCodes.RegionUnusable, "fewer than the 128");
        // The refusal did not break the consumer's handshake: it is still waiting, and takes a producer that fits.
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--wait", "10", "--packets", "1000", "--json");
        var results = _runner.WaitAll(PairDeadline, consumer, producer);
        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), $"the refused producer broke the consumer\n{ProgramRunner.Describe(results)}");
        Assert.Equal(1000UL, results[0].Summary().Received);
    }

    [Fact]
    public void Consumer_Interrupted_PeerReportsLeftNotDied()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--wait", "30", "--seconds", "30");
        WaitForDriverOk(consumer, producer);

        consumer.Terminate();
        var results = _runner.WaitAll(Deadline, consumer, producer);

        ProgramAssert.FailedWithOneLine(results[0], "Consumer", ExitCodes.Interrupted, "interrupted");
        ProgramAssert.FailedWithOneLine(results[1], "Producer", ExitCodes.PeerLost, "left");
    }

    [Fact]
    public void Consumer_ProducerKilledMidRun_FailsDied()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--wait", "30", "--seconds", "30");
        WaitForDriverOk(consumer, producer);
        Thread.Sleep(TimeSpan.FromSeconds(1));
        Assert.False(producer.HasExited, $"the producer exited before it was killed\n{producer.Collect()}");

        producer.Kill();
        var result = _runner.WaitAll(Deadline, consumer)[0];

        ProgramAssert.FailedWithOneLine(result, "Consumer", ExitCodes.PeerLost, "died");
    }

    [Fact]
    public void Producer_ConsumerKilledMidRun_FailsDied()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--wait", "30", "--seconds", "30", "--json");
        WaitForDriverOk(consumer, producer);
        Thread.Sleep(TimeSpan.FromSeconds(1));
        Assert.False(consumer.HasExited, $"the consumer exited before it was killed\n{consumer.Collect()}");

        consumer.Kill();
        var result = _runner.WaitAll(Deadline, producer)[0];

        ProgramAssert.FailedWithOneLine(result, "Producer", ExitCodes.PeerLost, "died");
    }

    [Fact]
    public void Consumer_RegionOfLiveConsumer_FailsInUseAndLeavesItWorking()
    {
        var owner = StartWaitingConsumer();

        var second = _runner.Run("Consumer", "--region", _runner.Region, "--attach-timeout", "1");

        ProgramAssert.FailedWithOneLine(second, "Consumer", ExitCodes.RegionUnusable, "in use");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--packets", "1000", "--json");
        var results = _runner.WaitAll(PairDeadline, owner, producer);
        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), $"the first consumer's region was disturbed\n{ProgramRunner.Describe(results)}");
        Assert.Equal(1000UL, results[0].Summary().Received);
    }

    [Fact]
    public void Consumer_StaleRegionOfAKilledConsumer_ReplacesItSaysSoInOneLineAndRuns()
    {
        var crashed = StartWaitingConsumer();
        crashed.Kill();
        Assert.Equal([_runner.RegionFile, _runner.RegionFile + ".lock"], _runner.FilesLeft()); // what kill -9 leaves

        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--wait", "30", "--packets", "1000", "--json");
        var results = _runner.WaitAll(PairDeadline, consumer, producer);

        string all = ProgramRunner.Describe(results);
        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), $"a program failed\n{all}");
        string[] lines = results[0].Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines is [var line] && line.StartsWith("consumer: ", StringComparison.Ordinal)
            && line.Contains($"replaced a stale region at {_runner.RegionFile}", StringComparison.Ordinal),
            $"the consumer did not say in one line that it replaced the stale region\n{all}");
        Assert.True(results[1].Stderr.Length == 0, all);
        Assert.Equal(1000UL, results[0].Summary().Received);
        Assert.Equal(0UL, results[0].Summary().Bad + results[0].Summary().Missing);
        Assert.True(_runner.FilesLeft().Count == 0, $"left behind: {string.Join(", ", _runner.FilesLeft())}\n{all}");
    }

    public void Dispose() => _runner.Dispose();

    /// <summary>A consumer that has created the region and waits (up to 30 s) for a producer.</summary>
    private ProgramRunner.Child StartWaitingConsumer()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        _runner.WaitForRegion(consumer, Deadline);
        return consumer;
    }

    /// <summary>Waits until the consumer has set DRIVER_OK (the handshake is done and packets flow), as an observer sees it.</summary>
    private void WaitForDriverOk(params ProgramRunner.Child[] pair) => RegionWatch.WaitForRunning(_runner, Deadline, pair);
}
