namespace Ring.Queues;

/// <summary>
/// How a queue side learns what became of its peer. The region implements it; the queue's halves and idle path
/// call <see cref="Refresh"/> only now and then (it may cost a system call) and read <see cref="State"/> freely.
/// </summary>
internal interface IPeerMonitor
{
    /// <summary>The state as of the last <see cref="Refresh"/>.</summary>
    PeerState State { get; }

    /// <summary>Looks again (status bits, and whether the peer's process exists) and returns the new state.</summary>
    PeerState Refresh();

    /// <summary>The error to report for the current state (peer died, left, failed), naming the peer.</summary>
    RingException Describe();
}
