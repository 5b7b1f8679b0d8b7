namespace Ring.Control;

/// <summary>
/// An attach, bind or handshake that failed, with the control channel's <see cref="Code"/> and a one-line message the
/// programs print as is. It is a <see cref="RingException"/> whose <see cref="RingException.Reason"/> is the
/// application's view of the same failure, so callers of the public API see one exception type.
/// </summary>
internal sealed class ControlException(ControlReason code, string message) : RingException(ReasonFor(code), message)
{
    /// <summary>Why, as the control channel's code.</summary>
    public ControlReason Code { get; } = code;

    private static RingErrorReason ReasonFor(ControlReason code) => code switch
    {
        ControlReason.DeviceAlreadyAttached or ControlReason.DeviceDetaching or ControlReason.GuestAlreadyListening
            or ControlReason.TooManyPeers or ControlReason.WrongUid => RingErrorReason.InUse,
        ControlReason.VersionMismatch => RingErrorReason.Incompatible,
        ControlReason.BadMessage or ControlReason.RegionUnsealed or ControlReason.RegionTooSmall or ControlReason.BadRegion
            or ControlReason.SocketPathRefused => RingErrorReason.Foreign,
        ControlReason.Timeout or ControlReason.HelloTimeout => RingErrorReason.TimedOut,
        ControlReason.Stopping or ControlReason.GuestShuttingDown or ControlReason.Detached => RingErrorReason.PeerLeft,
        _ => RingErrorReason.Io,
    };
}
