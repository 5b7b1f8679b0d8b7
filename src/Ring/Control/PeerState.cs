namespace Ring.Control;

/// <summary>What the kernel and the peer's last words say about the other end of a <see cref="ControlConnection"/>.</summary>
internal enum PeerState
{
    /// <summary>Its socket end is open. A paused (SIGSTOP, debugger, GC) peer is alive: a pause is not a death.</summary>
    Alive,

    /// <summary>It sent BYE: it left on purpose, with a reason.</summary>
    Left,

    /// <summary>Its socket end closed without BYE: the process died (kill -9, crash) or dropped the connection.</summary>
    Died,

    /// <summary>The connection is unusable: the peer sent something invalid, or a call on it failed.</summary>
    Broken,
}
