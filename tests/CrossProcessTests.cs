using Ring.Harness.Hosting;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The real Consumer and Producer as two processes over a real region (sealed memory the consumer hands the producer
/// through its control socket in /dev/shm): every packet sent arrives, in order, exactly once, both programs exit 0,
/// and the consumer removes its socket and lock file. Both busy-poll; on a small shared box a run is slow, so the
/// deadlines are generous and only one pair runs at a time (<see cref="ProcessCollection"/>).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class CrossProcessTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    private readonly ProgramRunner _runner = new();

    [Fact]
    public void Rx_MillionPackets_AllReceivedInOrder()
    {
        var (consumer, producer) = RunPair(["--direction", "rx"], ["--direction", "rx", "--packets", "1000000"]);

        Assert.Equal(1_000_000UL, producer.Sent);
        Assert.Equal(1_000_000UL, consumer.Received);
        Assert.Equal(64UL * 1_000_000, consumer.ReceivedBytes);
        AssertClean(consumer);
        AssertClean(producer);
    }

    [Fact]
    public void Tx_MillionPackets_AllReceivedInOrder()
    {
        var (consumer, producer) = RunPair(["--direction", "tx", "--packets", "1000000"], ["--direction", "tx"]);

        Assert.Equal(1_000_000UL, consumer.Sent);
        Assert.Equal(1_000_000UL, producer.Received);
        Assert.Equal(64UL * 1_000_000, producer.ReceivedBytes);
        AssertClean(consumer);
        AssertClean(producer);
    }

    [Fact]
    public void Both_TwoQueuePairs_AllReceivedEachWay()
    {
        var (consumer, producer) = RunPair(["--direction", "both", "--queues", "2", "--packets", "500000"],
            ["--direction", "both", "--packets", "500000"]);

        Assert.Equal(2, consumer.Queues);
        Assert.Equal(2, producer.Queues);
        Assert.Equal(500_000UL, producer.Sent);
        Assert.Equal(500_000UL, consumer.Received);
        Assert.Equal(500_000UL, consumer.Sent);
        Assert.Equal(500_000UL, producer.Received);
        AssertClean(consumer);
        AssertClean(producer);
    }

    [Fact]
    public void Rx_1500BytePacketsVerifyFull_EveryByteOfEveryPacketChecked()
    {
        const int Size = 1500, Count = 200_000;
        var (consumer, producer) = RunPair(["--direction", "rx", "--buffer-size", "2048", "--verify", "full"],
            ["--direction", "rx", "--size", $"{Size}", "--packets", $"{Count}", "--verify", "full"]);

        Assert.Equal((ulong)Count, producer.Sent);
        Assert.Equal((ulong)Count, consumer.Received);
        Assert.Equal((ulong)Size * Count, consumer.ReceivedBytes);
        Assert.Equal(("full", 0UL), (consumer.Verify, consumer.Corrupt));
        AssertClean(consumer);
        AssertClean(producer);
    }

    public void Dispose() => _runner.Dispose();

    /// <summary>Runs a consumer (which creates the region) and a producer (which waits for it) to the end; both must
    /// exit 0 with nothing on standard error. Returns their JSON summaries.</summary>
    private (RunSummary Consumer, RunSummary Producer) RunPair(string[] consumerArgs, string[] producerArgs)
    {
        var consumer = _runner.Start("Consumer", [.. consumerArgs, "--region", _runner.Region, "--attach-timeout", "60", "--json"]);
        var producer = _runner.Start("Producer", [.. producerArgs, "--region", _runner.Region, "--wait", "60", "--json"]);
        var results = _runner.WaitAll(Deadline, consumer, producer);

        string all = ProgramRunner.Describe(results);
        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok && r.Stderr.Length == 0), $"a program failed\n{all}");
        var consumerSummary = results[0].Summary();
        var producerSummary = results[1].Summary();
        Assert.Equal("consumer", consumerSummary.Role);
        Assert.Equal("producer", producerSummary.Role);
        Assert.True(_runner.FilesLeft().Count == 0, $"the consumer left {string.Join(", ", _runner.FilesLeft())} behind\n{all}");
        return (consumerSummary, producerSummary);
    }

    private static void AssertClean(RunSummary summary)
    {
        Assert.Equal(0UL, summary.Bad);
        Assert.Equal(0UL, summary.Duplicates);
        Assert.Equal(0UL, summary.Missing);
        Assert.Equal(0UL, summary.Corrupt);
        Assert.Equal(0L, summary.Dropped);
        Assert.Empty(summary.Drops);
    }
}
