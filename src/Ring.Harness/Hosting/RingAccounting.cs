namespace Ring.Harness.Hosting;

/// <summary>
/// What one side's rings moved, counted as the library counts them: packets are ring entries, one buffer each (a
/// frame chained over three buffers is three), so unchained packets are frames and sequence numbers. What this side
/// sent, what its readers received and dropped (<see cref="PacketCounters.DropsFor"/>), and, of what the peer sent
/// it, what was still in flight when the run ended: the receiving half of <c>sent = received + dropped + in flight</c>,
/// which <c>bench pair</c> checks against the sender's count.
/// </summary>
public sealed class RingAccounting
{
    /// <summary>Packets this side's writers published (<see cref="PacketCounters.PacketEntries"/> of a writer).</summary>
    public long Sent { get; set; }

    /// <summary>Packets this side's readers handed to the application.</summary>
    public long Received { get; set; }

    /// <summary>Packets this side's readers dropped as invalid, all reasons.</summary>
    public long Dropped { get; set; }

    /// <summary>Those drops by <see cref="DropReason"/>.</summary>
    public Dictionary<string, long> Drops { get; set; } = [];

    /// <summary>Packets the peer published to this side in all: the totals its end-of-stream marks carry, or, when it
    /// died, its counters in the region; null when neither is known (a peer that left without ending its stream).</summary>
    public long? PeerSent { get; set; }

    /// <summary>Of <see cref="PeerSent"/>, what this side's readers never read: <c>PeerSent - Received - Dropped</c>.
    /// 0 at a clean end (a reader completes only when the ring is empty after the end mark); null when
    /// <see cref="PeerSent"/> is.</summary>
    public long? InFlight { get; set; }

    /// <summary>Only when the peer died: what its readers had received of what this side sent, from its counters in
    /// the region (its checks of them died with it).</summary>
    public long? PeerReceived { get; set; }

    /// <summary>Only when the peer died: what its readers had dropped of what this side sent, from the region.</summary>
    public long? PeerDropped { get; set; }

    /// <summary>One entry per session the program closed with <see cref="EndSession"/> (a consumer run with
    /// <c>--reconnect</c>): each producer's own terms, so a gap can be put down to the session whose producer was lost.</summary>
    public List<SessionAccounting> BySession { get; set; } = [];

    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];
    // The sessions closed so far, then the current one: a peer total once unknown stays unknown.
    private long? _closedPeerSent = 0;
    private long? _sessionPeerSent = 0;
    private long _read;
    private SessionAccounting _session = new();

    /// <summary>Adds one queue pair's halves: its writer's packets, its reader's packets, drops and the peer's total.</summary>
    public void Add(PacketWriter writer, PacketReader reader)
    {
        var sent = writer.Counters;
        var received = reader.Counters;
        Sent += sent.PacketEntries;
        Received += received.Packets;
        _read += received.PacketEntries;
        _session.Received += received.Packets;
        _session.Read += received.PacketEntries;
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            _drops[(int)reason] += received.DropsFor(reason);
            _session.Dropped += received.DropsFor(reason);
        }
        Dropped = _drops.Sum();
        Drops = Enum.GetValues<DropReason>().Where(r => _drops[(int)r] != 0).ToDictionary(r => r.ToString(), r => _drops[(int)r]);
        _sessionPeerSent = reader.PeerTotal is { } total ? _sessionPeerSent + total : null;
        Update();
    }

    /// <summary>The current session's peer was lost before it ended its stream: what it published, all queue pairs
    /// together, is its writers' counters in the region (<paramref name="peerSent"/>).</summary>
    public void AddLostPeer(long peerSent)
    {
        _sessionPeerSent = peerSent;
        Update();
    }

    /// <summary>Fills in what a peer that died had done, from its counters in the region (<paramref name="peerSent"/>,
    /// <paramref name="peerReceived"/> and <paramref name="peerDropped"/> summed over the queue pairs).</summary>
    public void AddDeadPeer(long peerSent, long peerReceived, long peerDropped)
    {
        AddLostPeer(peerSent);
        PeerReceived = peerReceived;
        PeerDropped = peerDropped;
    }

    /// <summary>Closes the current session (its queue pairs all added) and records its terms in <see cref="BySession"/>;
    /// <paramref name="lost"/> says why its peer was lost, empty when it ended its stream.</summary>
    public void EndSession(string lost)
    {
        _session.Session = BySession.Count + 1;
        _session.PeerSent = _sessionPeerSent;
        _session.InFlight = _sessionPeerSent - _session.Read;
        _session.Lost = lost;
        BySession.Add(_session);
        _session = new SessionAccounting();
        _closedPeerSent += _sessionPeerSent;
        _sessionPeerSent = 0;
        Update();
    }

    private void Update()
    {
        PeerSent = _closedPeerSent + _sessionPeerSent;
        InFlight = PeerSent - _read;
    }

    /// <summary>"sent N; received N + dropped N (+ in flight N) of the peer's N".</summary>
    public override string ToString() =>
        $"sent {Sent}; received {Received} + dropped {Dropped} + in flight {(InFlight is { } f ? f.ToString() : "?")} "
        + $"of the peer's {(PeerSent is { } p ? p.ToString() : "? (it did not end its stream)")}";
}
