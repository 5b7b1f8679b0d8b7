using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using Ring.Harness.Hosting;
using Ring.Layout;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// What the real programs do when something is wrong: bad arguments, a missing, foreign, other-version or corrupt
/// region, a region someone else already uses, a peer that never comes or dies mid-run. Each must end (never hang)
/// with the documented exit code and exactly one line on standard error that names the problem, and never print a
/// stack trace.
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
        Assert.False(File.Exists(_runner.RegionFile), $"a rejected command line created {_runner.RegionFile}\n{result}");
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

    [Theory]
    [InlineData(0, false)]
    [InlineData(100, false)]
    [InlineData(8192, false)]
    [InlineData(8192, true)]
    public void Producer_ForeignFile_FailsNotARingRegion(int length, bool random)
    {
        var bytes = new byte[length];
        if (random)
            new Random(20240611).NextBytes(bytes);
        File.WriteAllBytes(_runner.RegionFile, bytes);

        var result = _runner.Run("Producer", "--region", _runner.Region);

        ProgramAssert.FailedWithOneLine(result, "Producer", ExitCodes.RegionUnusable, "not a Ring region");
        Assert.Equal(bytes, File.ReadAllBytes(_runner.RegionFile)); // a foreign file is never written to
    }

    [Fact]
    public void Producer_RegionOfAnotherMajorVersion_FailsNamingVersion()
    {
        var consumer = StartWaitingConsumer();
        string copy = PatchedCopy(bytes => BinaryPrimitives.WriteUInt32LittleEndian(
            bytes.AsSpan(RegionLayout.VersionOffset), (RegionLayout.Version >> 16) + 1 << 16));

        var result = _runner.Run("Producer", "--region", copy);

        ProgramAssert.FailedWithOneLine(result, "Producer", ExitCodes.RegionUnusable, "version");
        Assert.False(consumer.HasExited, "the consumer of the original region exited");
    }

    [Theory]
    [InlineData(RegionLayout.PoolOffsetOffset)]
    [InlineData(RegionLayout.PoolLengthOffset)]
    [InlineData(RegionLayout.QueueTableOffset + QueueTableLayout.RxFillOffset)]
    [InlineData(RegionLayout.QueueTableOffset + QueueTableLayout.TxCompletionOffset)]
    public void Producer_HeaderFieldOffByAPage_FailsCorruptHeader(int fieldOffset)
    {
        var consumer = StartWaitingConsumer();
        string copy = PatchedCopy(bytes =>
        {
            var field = bytes.AsSpan(fieldOffset, sizeof(ulong));
            BinaryPrimitives.WriteUInt64LittleEndian(field, BinaryPrimitives.ReadUInt64LittleEndian(field) + 4096);
        });

        var result = _runner.Run("Producer", "--region", copy);

        ProgramAssert.FailedWithOneLine(result, "Producer", ExitCodes.RegionUnusable, "corrupt header");
        Assert.False(consumer.HasExited, "the consumer of the original region exited");
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
        Assert.False(File.Exists(_runner.RegionFile), $"the consumer left {_runner.RegionFile} behind");
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
    public void Producer_PacketLongerThanTheRegionsChainsCarry_RefusesBeforeClaimingTheRegion()
    {
        // 16 buffers of 64 bytes carry 1024 bytes at most: a 2048-byte packet needs buffers of 128 bytes in any region.
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "3", "--buffer-size", "64", "--ring-size", "16");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--wait", "30", "--size", "2048", "--packets", "10");
        var results = _runner.WaitAll(Deadline, producer, consumer);

        ProgramAssert.FailedWithOneLine(results[0], "Producer", ExitCodes.RegionUnusable, "fewer than the 128");
        // The producer never claimed the region, so the consumer was not left mid-handshake with a "dead" device.
        ProgramAssert.FailedWithOneLine(results[1], "Consumer", ExitCodes.Failure, "timed out");
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

    public void Dispose() => _runner.Dispose();

    /// <summary>A consumer that has created the region and waits (up to 30 s) for a producer.</summary>
    private ProgramRunner.Child StartWaitingConsumer()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        _runner.WaitForRegion(consumer, Deadline);
        return consumer;
    }

    /// <summary>
    /// Copies the live region's bytes to a file beside it (deleted with the region's files), changed by
    /// <paramref name="patch"/>, and returns its path. The producer is pointed at the copy, so the test never races
    /// the consumer over the original; the copy's driver pid is the live consumer's.
    /// </summary>
    private string PatchedCopy(Action<byte[]> patch)
    {
        byte[] bytes = File.ReadAllBytes(_runner.RegionFile);
        patch(bytes);
        string copy = _runner.RegionFile + ".copy";
        File.WriteAllBytes(copy, bytes);
        return copy;
    }

    /// <summary>Waits until the consumer has set DRIVER_OK: the handshake is done and packets flow.</summary>
    private void WaitForDriverOk(params ProgramRunner.Child[] pair) =>
        _runner.WaitUntil(() => (ReadStatus(_runner.RegionFile) & DeviceStatus.DriverOk) != 0, "DRIVER_OK was set",
            Deadline, pair);

    /// <summary>The region's status word, or None while the file does not exist.</summary>
    private static DeviceStatus ReadStatus(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length < RegionLayout.HeaderLength)
                return DeviceStatus.None;
            using var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read,
                HandleInheritability.None, leaveOpen: false);
            using var view = file.CreateViewAccessor(0, RegionLayout.HeaderLength, MemoryMappedFileAccess.Read);
            return (DeviceStatus)view.ReadUInt32(RegionLayout.StatusOffset);
        }
        catch (FileNotFoundException)
        {
            return DeviceStatus.None;
        }
    }
}
