namespace Ring.Queues;

/// <summary>What this side last learned about its peer.</summary>
internal enum PeerState
{
    /// <summary>Attached and, as far as this side can tell, alive (a paused peer is still running).</summary>
    Running,
    /// <summary>It left on purpose.</summary>
    Left,
    /// <summary>Its process is gone without saying goodbye.</summary>
    Died,
    /// <summary>It marked the region broken (FAILED, or NEEDS_RESET with a violation).</summary>
    Failed,
}
