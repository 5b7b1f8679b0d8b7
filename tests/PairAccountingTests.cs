using Bench;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;

namespace Ring.Tests;

/// <summary>The pair's accounting line from two summaries: drops by reason, what was in flight, the sender's count
/// against what the receiver saw of it, and what is unknown when a program left no summary.</summary>
public sealed class PairAccountingTests
{
    [Fact]
    public void Of_DropsAndInFlight_AddUpAndAreNamed()
    {
        var producer = Summary("producer", sent: 100);
        var consumer = Summary("consumer", received: 90, drops: new() { ["LengthTooLarge"] = 4 }, peerSent: 100, inFlight: 6);

        var accounting = PairAccounting.Of(Direction.Rx, consumer, producer);

        Assert.Equal("accounting: sent 100 = received 90 + dropped 4 (LengthTooLarge=4) + in flight 6; 6 unaccounted for "
            + "(6 in flight at the end)", accounting.Line());
        Assert.False(accounting.Exact);
    }

    [Fact]
    public void Of_SenderCountsMoreThanTheReceiverSawOfIt_DoesNotAddUp()
    {
        var producer = Summary("producer", sent: 100);
        var consumer = Summary("consumer", received: 98, peerSent: 98, inFlight: 0);

        var accounting = PairAccounting.Of(Direction.Rx, consumer, producer);

        Assert.Equal((2L, false), (accounting.Unaccounted, accounting.Exact));
        Assert.EndsWith("; does not add up: 2 unaccounted for", accounting.Line());
    }

    [Fact]
    public void Of_BothDirectionsClean_SumsThemExactly()
    {
        var producer = Summary("producer", sent: 50, received: 70, peerSent: 70, inFlight: 0);
        var consumer = Summary("consumer", sent: 70, received: 50, peerSent: 50, inFlight: 0);

        var accounting = PairAccounting.Of(Direction.Both, consumer, producer);

        Assert.True(accounting.Exact);
        Assert.Equal("accounting: sent 120 = received 120 + dropped 0 + in flight 0", accounting.Line());
    }

    [Fact]
    public void Of_SenderDiedAndItsCountsUnknown_SaysTheRestIsUnknown()
    {
        var consumer = Summary("consumer", received: 10, peerSent: null, inFlight: null);
        consumer.PeerLost = "the device (pid 1) died";

        var accounting = PairAccounting.Of(Direction.Rx, consumer, producer: null);

        Assert.Equal("accounting: sent ? = received 10 + dropped 0 + in flight ?; the producer was lost: the rest is unknown",
            accounting.Line());
        Assert.False(accounting.Exact);
    }

    private static RunSummary Summary(string role, long sent = 0, long received = 0, Dictionary<string, long>? drops = null,
        long? peerSent = 0, long? inFlight = 0) => new()
        {
            Role = role,
            Direction = "rx",
            Accounting = new RingAccounting
            {
                Sent = sent,
                Received = received,
                Dropped = drops?.Values.Sum() ?? 0,
                Drops = drops ?? [],
                PeerSent = peerSent,
                InFlight = inFlight,
            },
        };
}
