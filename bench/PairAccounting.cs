using System.Text.Json.Serialization;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;

namespace Bench;

/// <summary>
/// <c>sent = received + dropped + in flight</c> over every direction of a pair run, each term from the side that
/// knows it: the sender's count of what it published, the receiver's count of what it received and dropped (by
/// reason), and the receiver's count of what the sender published to it that it never read. Packets are ring entries,
/// one buffer each, as the library counts them. When a program died, its terms come from the survivor: its own count
/// of what the dead one published, or the dead one's counters in the region, and what cannot be vouched for (packets
/// in flight when it died, packets a dead receiver took but never reported checking) is <see cref="Unaccounted"/>.
/// </summary>
public sealed class PairAccounting
{
    /// <summary>Packets the senders published (null: not known, a sender died and the region was gone).</summary>
    public long? Sent { get; set; }
    /// <summary>Packets the receivers' libraries handed to their applications.</summary>
    public long? Received { get; set; }
    /// <summary>Packets the receivers dropped as invalid, all reasons.</summary>
    public long? Dropped { get; set; }
    /// <summary>Those drops by reason.</summary>
    public Dictionary<string, long> Drops { get; set; } = [];
    /// <summary>Packets published that no receiver read before the run ended (or the receiver died).</summary>
    public long? InFlight { get; set; }
    /// <summary>Packets whose fate no surviving program can vouch for: in flight when a program died, taken by a
    /// receiver that died before reporting its checks, or the difference when the terms do not add up.</summary>
    public long Unaccounted { get; set; }
    /// <summary>By how much the senders' own counts differ from what the receivers saw of them (0 when they agree).</summary>
    public long Mismatch { get; set; }
    /// <summary>Of <see cref="Received"/>, what a receiver that died had taken: its library counted them, its checks of
    /// them died with it.</summary>
    public long ReceivedUnchecked { get; set; }
    /// <summary>Which program died or was lost ("the consumer", "the producer"), or empty.</summary>
    public string Lost { get; set; } = "";
    /// <summary>Buffers per frame when frames are chained (then the packets here are buffers); 1 otherwise.</summary>
    public int BuffersPerFrame { get; set; } = 1;

    /// <summary>Whether the run ended cleanly: every term known, nothing in flight, and the equation exact.</summary>
    [JsonIgnore]
    public bool Exact => Lost.Length == 0 && Sent is not null && InFlight == 0 && Unaccounted == 0;

    /// <summary>The accounting of a run in <paramref name="direction"/>, from the summaries of the programs that
    /// printed one (null for one that died without).</summary>
    public static PairAccounting Of(Direction direction, RunSummary? consumer, RunSummary? producer, int buffersPerFrame = 1)
    {
        var result = new PairAccounting { BuffersPerFrame = buffersPerFrame };
        result.Lost = consumer is null ? "the consumer" : producer is null ? "the producer"
            : consumer.PeerLost.Length != 0 ? "the producer" : producer.PeerLost.Length != 0 ? "the consumer" : "";
        long? sent = 0, received = 0, dropped = 0, inFlight = 0;
        var drops = new Dictionary<string, long>();
        if ((direction & Direction.Rx) != 0)
            result.Add(producer, consumer, ref sent, ref received, ref dropped, ref inFlight, drops);
        if ((direction & Direction.Tx) != 0)
            result.Add(consumer, producer, ref sent, ref received, ref dropped, ref inFlight, drops);
        (result.Sent, result.Received, result.Dropped, result.InFlight, result.Drops) = (sent, received, dropped, inFlight, drops);
        return result;
    }

    /// <summary>Adds one direction, <paramref name="sender"/> to <paramref name="receiver"/> (either null when it died
    /// without a summary).</summary>
    private void Add(RunSummary? sender, RunSummary? receiver, ref long? sent, ref long? received, ref long? dropped,
        ref long? inFlight, Dictionary<string, long> drops)
    {
        long? s = sender?.Accounting.Sent ?? receiver?.Accounting.PeerSent;
        long? r = receiver?.Accounting.Received ?? sender?.Accounting.PeerReceived;
        long? d = receiver?.Accounting.Dropped ?? sender?.Accounting.PeerDropped;
        long? f = receiver is not null ? receiver.Accounting.InFlight : s - r - d;
        foreach (var (reason, count) in receiver?.Accounting.Drops ?? [])
            drops[reason] = drops.GetValueOrDefault(reason) + count;
        (sent, received, dropped, inFlight) = (sent + s, received + r, dropped + d, inFlight + f);
        if (s is null || r is null || d is null || f is null)
            return;
        // The sender's own count against what the receiver saw of it; whatever was never read; and what a dead
        // receiver took without reporting its checks.
        long residue = Math.Abs(s.Value - r.Value - d.Value - f.Value);
        long takenByTheDead = receiver is null ? r.Value : 0;
        ReceivedUnchecked += takenByTheDead;
        Mismatch += residue;
        Unaccounted += residue + Math.Abs(f.Value) + takenByTheDead;
    }

    /// <summary>One line: "accounting: sent N = received N + dropped N + in flight 0", and what is unaccounted for.</summary>
    public string Line()
    {
        static string Of(long? value) => value is { } v ? v.ToString() : "?";
        string drops = Drops.Count == 0 ? "" : $" ({string.Join(", ", Drops.Select(d => $"{d.Key}={d.Value}"))})";
        string line = $"accounting: sent {Of(Sent)} = received {Of(Received)} + dropped {Of(Dropped)}{drops} + in flight {Of(InFlight)}";
        if (BuffersPerFrame > 1)
            line += $" (buffers: a frame is {BuffersPerFrame})";
        if (Lost.Length != 0)
            return line + $"; {Lost} was lost: " + (Sent is null || Received is null || InFlight is null ? "the rest is unknown"
                : $"{Unaccounted} unaccounted for" + (Unaccounted == 0 ? "" : $" ({InFlight} in flight"
                    + (ReceivedUnchecked == 0 ? ")" : $", {ReceivedUnchecked} received by it, their checks lost with it)")));
        if (Unaccounted == 0)
            return line;
        return line + $"; {(Mismatch == 0 ? "" : "does not add up: ")}{Unaccounted} unaccounted for"
            + (InFlight == 0 ? "" : $" ({InFlight} in flight at the end)");
    }
}
