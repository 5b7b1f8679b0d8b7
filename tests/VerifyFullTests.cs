using Ring.Harness.Hosting;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// <c>--verify full</c> can fail: a device written here with the library's public API sends honest full-verify
/// packets (<see cref="PayloadPatternTests.Frame"/>), except that it flips one byte in the middle of a 1500-byte
/// packet and one in the second buffer of a chained 3000-byte frame; the real Consumer counts both corrupt (their
/// sequence numbers are fine) and exits 3 saying so.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class VerifyFullTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly ProgramRunner _runner = new();

    [Fact]
    public async Task VerifyFull_DeviceFlippingOneByteInAPacketAndInAChainsSecondBuffer_ConsumerExits3AndSaysCorrupt()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--verify", "full", "--attach-timeout", "30", "--json");
        ProgramRunner.Result result;
        await using (var device = await Device.AttachAsync(_runner.Region, new DeviceOptions { AttachTimeout = Deadline })
            .AsTask().WaitAsync(Deadline))
        {
            var writer = device.QueuePairs[0].Writer;
            Assert.True(writer.MaxChainLength > 1, "the consumer did not accept chained buffers");
            var frames = new[]
            {
                PayloadPatternTests.Frame(0, 1500, stamp: 0),
                Flipped(PayloadPatternTests.Frame(1, 1500, stamp: 0), at: 750),
                PayloadPatternTests.Frame(2, 3000, stamp: 0),
                Flipped(PayloadPatternTests.Frame(3, 3000, stamp: 0), at: writer.BufferSize + 452), // the second buffer
                PayloadPatternTests.Frame(4, 1500, stamp: 0),
            };
            foreach (var frame in frames)
                SendWithin(writer, frame, Deadline);
            writer.Complete();
            result = _runner.WaitAll(Deadline, consumer)[0];
        }

        ProgramAssert.FailedWithOneLine(result, "Consumer", ExitCodes.VerificationFailed,
            "verification failed: 0 bad, 0 duplicates, 0 missing, 2 corrupt, 0 dropped of 5 received");
        var summary = result.Summary();
        Assert.Equal(("full", 5UL, 0UL, 2UL, 1500UL * 3 + 3000 * 2), (summary.Verify, summary.Received, summary.Bad, summary.Corrupt, summary.ReceivedBytes));
    }

    public void Dispose() => _runner.Dispose();

    private static byte[] Flipped(byte[] frame, int at)
    {
        frame[at] ^= 0x01;
        return frame;
    }

    private static void SendWithin(PacketWriter writer, byte[] frame, TimeSpan deadline)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!writer.TrySend(frame))
        {
            Assert.True(clock.Elapsed < deadline, $"no free buffers within {deadline.TotalSeconds:0} s");
            Thread.Sleep(1);
        }
    }
}
