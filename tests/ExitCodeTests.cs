using System.Buffers.Binary;
using System.Globalization;
using Ring.Harness.Hosting;
using Ring.Layout;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// One case per exit code of the README's table (<see cref="ExitCodes"/>), each through the real binaries
/// (Consumer, Producer, bench), each wait with a deadline. More cases per code: <see cref="ErrorPathTests"/> and
/// <see cref="StatsCommandTests"/>.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ExitCodeTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly ProgramRunner _runner = new();

    [Fact]
    public void Ok_CleanTinyPair_BothExitZero()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--wait", "30", "--packets", "1000", "--json");

        var results = _runner.WaitAll(Deadline, consumer, producer);

        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok && r.Stderr.Length == 0), ProgramRunner.Describe(results));
        Assert.Equal(1000UL, results[0].Summary().Received);
    }

    [Fact]
    public void Failure_ConsumerWhoseAttachTimesOut_Exits1()
    {
        var result = _runner.Run("Consumer", "--region", _runner.Region, "--attach-timeout", "1");

        ProgramAssert.FailedWithOneLine(result, "Consumer", ExitCodes.Failure, "timed out");
    }

    public static TheoryData<string, string[], string> BadArguments => new()
    {
        { "Consumer", ["--bogus"], "unknown option '--bogus'" },
        { "Consumer", ["extra"], "unexpected argument 'extra'" },
        { "Producer", ["--size", "4"], "--size must be" },
        { "bench", [], "no command given: one of pair, rtt, sweep, refs, plot, micro, ping-demo, stats" },
        { "bench", ["nosuch"], "unknown command 'nosuch'" },
        { "bench", ["stats", "--region", "x", "--watch", "0"], "--watch must be" },
        { "bench", ["plot", "a", "b"], "unexpected argument 'b'" },
        // The consumer rejects it; pair stops the producer and exits with the consumer's code.
        { "bench", ["pair", "--queues", "0", "--cpus", ""], "consumer: --queues must be 1..16, not 0" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Usage_BadArgument_Exits2WithOneLine(string program, string[] arguments, string phrase)
    {
        string[] region = program == "bench" && arguments is ["pair", ..] ? ["--region", _runner.Region] : [];

        var result = _runner.Run(program, [.. arguments, .. region]);

        ProgramAssert.FailedWithOneLine(result, program, ExitCodes.Usage, phrase);
        Assert.True(result.Stdout.Length == 0, $"a usage error printed on stdout\n{result}");
    }

    [Fact]
    public async Task VerificationFailed_DeviceSendingOutOfSequence_ConsumerExits3AndSaysWhat()
    {
        // No honest Producer sends a bad stream, so the test is the device: it attaches with the library and sends
        // sequence numbers 0, 1, 5, 6, 1 and a random one (2..4 never come, and 6 confirms the jump to 5: 3 missing;
        // 1 again: 1 duplicate; the random number: 1 bad, which moves nothing).
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        ProgramRunner.Result result;
        await using (var device = await Device.AttachAsync(_runner.Region, new DeviceOptions { AttachTimeout = Deadline })
            .AsTask().WaitAsync(Deadline))
        {
            var writer = device.QueuePairs[0].Writer;
            foreach (ulong sequence in (ulong[])[0, 1, 5, 6, 1, 0x5eed_f00d_dead_beef])
                SendWithin(writer, Frame(sequence), Deadline);
            writer.Complete();
            result = _runner.WaitAll(Deadline, consumer)[0];
        }

        ProgramAssert.FailedWithOneLine(result, "Consumer", ExitCodes.VerificationFailed,
            "verification failed: 1 bad, 1 duplicates, 3 missing, 0 corrupt, 0 dropped of 6 received");
        var summary = result.Summary();
        Assert.Equal((6UL, 1UL, 1UL, 3UL), (summary.Received, summary.Bad, summary.Duplicates, summary.Missing));
    }

    [Fact]
    public void RegionMissing_ProducerWithoutWait_Exits4()
    {
        var result = _runner.Run("Producer", "--region", _runner.Region, "--wait", "0");

        ProgramAssert.FailedWithOneLine(result, "Producer", ExitCodes.RegionMissing, "not found");
    }

    [Fact]
    public void RegionUnusable_ForeignFile_Exits5()
    {
        File.WriteAllBytes(_runner.RegionFile, new byte[8192]);

        var result = _runner.Run("Producer", "--region", _runner.Region, "--wait", "0");

        ProgramAssert.FailedWithOneLine(result, "Producer", ExitCodes.RegionUnusable, "is not a Ring region: a regular file");
    }

    [Fact]
    public void PeerLost_ProducerKilledMidRun_ConsumerExits6()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--wait", "30", "--seconds", "30", "--rate", "100000");
        RegionWatch.WaitForPackets(_runner, 1000, Deadline, consumer, producer);

        producer.Kill();
        var result = _runner.WaitAll(Deadline, consumer)[0];

        ProgramAssert.FailedWithOneLine(result, "Consumer", ExitCodes.PeerLost, "died");
    }

    [Fact]
    public async Task ProtocolViolation_DeviceRewritesAFixedHeaderFieldMidRun_ConsumerExits7NamingIt()
    {
        // No honest Producer rewrites the header, so the test is the device: it attaches with the library, then
        // changes the buffer size, which the handshake fixed, in the region it shares with the real Consumer.
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        ProgramRunner.Result result;
        await using (var device = await Device.AttachAsync(_runner.Region, new DeviceOptions { AttachTimeout = Deadline })
            .AsTask().WaitAsync(Deadline))
        {
            // One packet received: the consumer is past its handshake and watches the header.
            SendWithin(device.QueuePairs[0].Writer, Frame(0), Deadline);
            RegionWatch.WaitForPackets(_runner, 1, Deadline, consumer);
            uint bufferSize = (uint)device.BufferSize;
            RewriteBufferSize(device, bufferSize * 2);
            result = _runner.WaitAll(Deadline, consumer)[0];

            ProgramAssert.FailedWithOneLine(result, "Consumer", ExitCodes.ProtocolViolation,
                $"the region's header changed after the handshake: buffer size was {bufferSize}, is {bufferSize * 2}");
        }
    }

    [Fact]
    public void Interrupted_ConsumerGetsSigtermMidRun_Exits130()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--attach-timeout", "30", "--json");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--wait", "30", "--seconds", "30", "--rate", "100000");
        RegionWatch.WaitForPackets(_runner, 1000, Deadline, consumer, producer);

        consumer.Terminate();
        var results = _runner.WaitAll(Deadline, consumer, producer);

        ProgramAssert.FailedWithOneLine(results[0], "Consumer", ExitCodes.Interrupted, "interrupted");
        ProgramAssert.FailedWithOneLine(results[1], "Producer", ExitCodes.PeerLost, "left");
    }

    [Fact]
    public void Interrupted_BenchPairGetsSigterm_StopsBothProgramsCleanlyAndExits130()
    {
        var bench = _runner.Start("bench", "pair", "--seconds", "30", "--rate", "100000", "--cpus", "", "--region", _runner.Region);
        RegionWatch.WaitForPackets(_runner, 1000, Deadline, bench);

        bench.Terminate();
        var result = _runner.WaitAll(Deadline, bench)[0];

        ProgramAssert.FailedWithOneLine(result, "bench", ExitCodes.Interrupted, "interrupted");
        Assert.True(_runner.FilesLeft().Count == 0,
            $"the programs did not remove {string.Join(", ", _runner.FilesLeft())}: they were killed, not stopped");
        Assert.Empty(ProcessesNaming(_runner.Region));
    }

    public void Dispose() => _runner.Dispose();

    private static unsafe void RewriteBufferSize(Device device, uint bufferSize) =>
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(device.Region.Base + RegionLayout.BufferSizeOffset, sizeof(uint)), bufferSize);

    /// <summary>A 64-byte test packet carrying <paramref name="sequence"/> (and no send time, so no latency sample).</summary>
    private static byte[] Frame(ulong sequence)
    {
        var frame = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(frame, sequence);
        return frame;
    }

    private static void SendWithin(PacketWriter writer, byte[] frame, TimeSpan deadline)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!writer.TrySend(frame))
        {
            Assert.True(clock.Elapsed < deadline, $"no free buffer within {deadline.TotalSeconds:0} s");
            Thread.Sleep(1);
        }
    }

    /// <summary>The processes whose command line names <paramref name="region"/>.</summary>
    private static List<int> ProcessesNaming(string region)
    {
        var pids = new List<int>();
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(folder, "cmdline")).Contains(region, StringComparison.Ordinal))
                    pids.Add(pid);
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read.
            }
        }
        return pids;
    }
}
