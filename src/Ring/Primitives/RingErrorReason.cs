namespace Ring;

/// <summary>Why a <see cref="RingException"/> was thrown.</summary>
public enum RingErrorReason
{
    /// <summary>The region does not exist (the guest creates it: start it first).</summary>
    NotFound,
    /// <summary>The region, or the device's place in it, is taken by another live process.</summary>
    InUse,
    /// <summary>The file is not a Ring region.</summary>
    Foreign,
    /// <summary>A Ring region of another layout version, or features the peer cannot accept.</summary>
    Incompatible,
    /// <summary>The region's header is inconsistent or changed after the handshake.</summary>
    Corrupt,
    /// <summary>The peer did not reach a step of the handshake in time.</summary>
    TimedOut,
    /// <summary>The peer process is gone without saying goodbye.</summary>
    PeerDied,
    /// <summary>The peer left on purpose (disposed or completed) before the stream ended.</summary>
    PeerLeft,
    /// <summary>The peer gave up, or found this side violating the protocol, and marked the region broken.</summary>
    PeerFailed,
    /// <summary>The peer broke the protocol; this side marked the region broken.</summary>
    ProtocolViolation,
    /// <summary>The region could not be created, opened or mapped (permissions, space).</summary>
    Io,
}
