namespace Ring.Harness.Hosting;

/// <summary>One session's receiving half of the accounting: what its peer published (<see cref="PeerSent"/>), what this
/// side received and dropped of it, and what was left in flight (published, never read: after a peer was lost, what
/// it had put in the ring when it went).</summary>
public sealed class SessionAccounting
{
    /// <summary>1 for the first peer, then one more for each new peer.</summary>
    public int Session { get; set; }
    /// <summary>Packets the peer published: its end-of-stream totals, or its counters in the region when it was lost;
    /// null when neither is known.</summary>
    public long? PeerSent { get; set; }
    /// <summary>Packets this side's readers handed to the application.</summary>
    public long Received { get; set; }
    /// <summary>Packets this side's readers dropped as invalid.</summary>
    public long Dropped { get; set; }
    /// <summary>Ring entries read (a chained frame is several): what in flight is counted against.</summary>
    public long Read { get; set; }
    /// <summary><c>PeerSent - Read</c>: published and never read.</summary>
    public long? InFlight { get; set; }
    /// <summary>Why the peer was lost (it died, or left before its stream ended); empty when it ended its stream.</summary>
    public string Lost { get; set; } = "";
}
