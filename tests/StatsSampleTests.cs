using Bench;

namespace Ring.Tests;

/// <summary>What <c>bench stats</c> computes from two snapshots and how it prints them, without a region.</summary>
public sealed class StatsSampleTests
{
    [Fact]
    public void Of_TwoSnapshotsHalfASecondApart_RatesAreTheReceiversDeltasPerSecond()
    {
        var before = Snapshot(guestReceived: 1_000, deviceReceived: 10);
        var now = Snapshot(guestReceived: 501_000, deviceReceived: 60);

        var sample = StatsSample.Of(now, before, 0.5, DateTime.UtcNow);

        var q = Assert.Single(sample.Queues);
        Assert.Equal((1_000_000.0, 64_000_000.0), (q.Rx.PacketsPerSecond, q.Rx.BytesPerSecond));
        Assert.Equal(100.0, q.Tx.PacketsPerSecond);
        Assert.Equal(0.5, sample.IntervalSeconds);
        Assert.Contains("     1.000       64.0", StatsText.Format(sample));
    }

    [Fact]
    public void Of_OneSnapshot_HasNoRates()
    {
        var sample = StatsSample.Of(Snapshot(guestReceived: 5, deviceReceived: 0), null, 0, DateTime.UtcNow);

        Assert.Null(sample.IntervalSeconds);
        Assert.Null(sample.Queues[0].Rx.PacketsPerSecond);
        Assert.Contains("rates from the next interval", StatsText.Format(sample));
    }

    [Fact]
    public void Of_DropsOnOneRing_ListsOnlyTheNonZeroReasonsByRing()
    {
        var drops = new long[Enum.GetValues<DropReason>().Length];
        drops[(int)DropReason.LengthTooLarge] = 3;

        var sample = StatsSample.Of(Snapshot(guestReceived: 0, deviceReceived: 0, deviceReceiverDrops: drops), null, 0, DateTime.UtcNow);

        var q = sample.Queues[0];
        Assert.Equal(new Dictionary<string, long> { ["LengthTooLarge"] = 3 }, Assert.Single(q.Drops, d => d.Key == StatsQueue.TxRing).Value);
        Assert.Single(q.Drops);
        Assert.Contains("  drops       tx ring: LengthTooLarge 3", StatsText.Format(sample));
        Assert.Contains("\"drops\":{\"tx\":{\"LengthTooLarge\":3}}", sample.ToJson());
    }

    [Fact]
    public void Of_NoDrops_SaysNone()
    {
        var sample = StatsSample.Of(Snapshot(guestReceived: 0, deviceReceived: 0), null, 0, DateTime.UtcNow);

        Assert.Empty(sample.Queues[0].Drops);
        Assert.Contains("  drops       none", StatsText.Format(sample));
    }

    [Fact]
    public void Of_PostedAndTakenEntries_ShowsEachRingsOccupancy()
    {
        var sample = StatsSample.Of(Snapshot(guestReceived: 100, deviceReceived: 0), null, 0, DateTime.UtcNow);

        // Snapshot: the guest posted 1024 + 100 fill entries and the device took 1000; the device sent 130 packets.
        Assert.Equal(new Dictionary<string, long> { ["fill"] = 124, ["rx_completion"] = 30, ["tx"] = 0, ["tx_completion"] = 0 },
            sample.Queues[0].Rings);
        Assert.Contains("fill 124/1024, rx completion 30/1024", StatsText.Format(sample));
    }

    /// <summary>One queue pair of 64-byte packets: the guest received <paramref name="guestReceived"/> (the device
    /// sent 30 more), the device received <paramref name="deviceReceived"/>.</summary>
    private static RegionSnapshot Snapshot(long guestReceived, long deviceReceived, long[]? deviceReceiverDrops = null)
    {
        var none = new long[Enum.GetValues<DropReason>().Length];
        var guestReceiver = new PacketCounters(guestReceived, guestReceived * 64, guestReceived, 1024 + guestReceived, 0, 0, 0, none);
        var deviceSender = new PacketCounters(guestReceived + 30, (guestReceived + 30) * 64, guestReceived + 30, 1000, 0, 0, 0, none);
        var deviceReceiver = new PacketCounters(deviceReceived, deviceReceived * 64, deviceReceived, deviceReceived, 0, 0, 0,
            deviceReceiverDrops ?? none);
        var guestSender = new PacketCounters(deviceReceived, deviceReceived * 64, deviceReceived, deviceReceived, 0, 0, 0, none);
        var queue = new QueueSnapshot(0, guestReceiver, guestSender, deviceSender, deviceReceiver, default, default);
        return new RegionSnapshot("/dev/shm/ring-unit", RegionState.Running, RegionStatus.DriverOk | RegionStatus.FeaturesOk,
            RegionFeatures.EndOfStream, 1, 2,
            WaitMode.Poll, WaitMode.Event, 1024, 2048, [queue]);
    }
}
