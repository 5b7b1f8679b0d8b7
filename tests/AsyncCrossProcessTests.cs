using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The async reader of a guest in this process against the real Producer program as its device, killed with
/// SIGKILL mid-stream: it cannot say goodbye, so the guest must find out from the process being gone, drain what the
/// device had published, and fault the enumeration and <see cref="PacketReader.Completion"/> with
/// <see cref="RingErrorReason.PeerDied"/> (not PeerLeft, and never hang). One run per wait mode.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class AsyncCrossProcessTests : IDisposable
{
    private static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(90);

    private readonly ProgramRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Theory]
    [InlineData(WaitMode.Poll)]
    [InlineData(WaitMode.Event)]
    [InlineData(WaitMode.Hybrid)]
    public async Task Completion_DeviceProcessKilledBeforeEndOfStream_FaultsWithPeerDied(WaitMode mode)
    {
        string modeName = mode.ToString().ToLowerInvariant();
        using var guest = Guest.Create(_runner.Region, new GuestOptions { RingSize = 256, WaitMode = mode, AttachTimeout = Deadline.Default });
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--direction", "rx", "--mode", modeName,
            "--seconds", "60", "--wait", "30");
        await Deadline.Within(guest.StartAsync().AsTask(), $"the producer's attach\n{(producer.HasExited ? producer.Collect() : "")}");
        var reader = guest.QueuePairs[0].Reader;
        var checker = new Harness.Traffic.SequenceChecker();

        var receiving = Task.Run(async () =>
        {
            bool killed = false;
            await foreach (var burst in reader.ReceiveAllAsync())
            {
                for (int i = 0; i < burst.Count; i++)
                    checker.Check(burst.Payload(i));
                if (!killed && checker.Received >= 10_000)
                {
                    producer.Kill(); // SIGKILL, and reaped: the pid no longer exists
                    killed = true;
                }
            }
        });

        var e = await Assert.ThrowsAsync<RingException>(() => Deadline.Within(receiving, "the enumeration after the producer was killed", RunDeadline));
        Assert.Equal(RingErrorReason.PeerDied, e.Reason);
        Assert.Contains("died", e.Message);
        var completion = await Assert.ThrowsAsync<RingException>(() => reader.Completion);
        Assert.Equal(RingErrorReason.PeerDied, completion.Reason);
        Assert.True(checker.Received >= 10_000, $"only {checker.Received} packets arrived before the kill");
        Assert.Equal(0UL, checker.Bad + checker.Missing);
        Assert.Null(reader.PeerTotal);
    }
}
