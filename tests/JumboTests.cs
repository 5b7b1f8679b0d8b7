using Ring.Harness.Hosting;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// Sequence-numbered jumbo packets through the real binaries: a 9000-byte packet is a chain of five 2048-byte buffers,
/// sent whole by the generator and checked whole by the receiver, in both directions and in the round trip.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class JumboTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly ProgramRunner _runner = new();

    [Theory]
    [InlineData("rx")]
    [InlineData("tx")]
    public void Size9000_DefaultBuffers_EveryPacketArrivesWholeAndInOrder(string direction)
    {
        string[] sender = ["--direction", direction, "--size", "9000", "--packets", "100000"];
        string[] receiver = ["--direction", direction];
        var (consumer, producer) = direction == "rx" ? RunPair(receiver, sender) : RunPair(sender, receiver);

        var received = direction == "rx" ? consumer : producer;
        Assert.Equal(100_000UL, received.Received);
        Assert.Equal(100_000UL * 9000, received.ReceivedBytes);
        Assert.True(consumer.Clean && producer.Clean, $"{consumer.ToJson()}\n{producer.ToJson()}");
    }

    [Fact]
    public void Rtt_Size5000EchoedByIo_EveryRoundTripComesBackWhole()
    {
        var (consumer, producer) = RunPair(["--app", "io"], ["--rtt", "--size", "5000", "--packets", "2000"]);

        Assert.Equal(2000UL, producer.Received);
        Assert.Equal(2000UL * 5000, producer.ReceivedBytes);
        Assert.Equal(2000, consumer.Replied);
        Assert.True(consumer.Clean && producer.Clean, $"{consumer.ToJson()}\n{producer.ToJson()}");
    }

    public void Dispose() => _runner.Dispose();

    private (RunSummary Consumer, RunSummary Producer) RunPair(string[] consumerArgs, string[] producerArgs)
    {
        var consumer = _runner.Start("Consumer", ["--region", _runner.Region, "--json", .. consumerArgs]);
        _runner.WaitForRegion(consumer, Deadline);
        var producer = _runner.Start("Producer", ["--region", _runner.Region, "--json", .. producerArgs]);
        var results = _runner.WaitAll(Deadline, consumer, producer);
        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), ProgramRunner.Describe(results));
        return (results[0].Summary(), results[1].Summary());
    }
}
