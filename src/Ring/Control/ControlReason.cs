namespace Ring.Control;

/// <summary>
/// Why a peer was refused, why it left, or why an attach failed. Travels as a u16 in REFUSE and BYE; a value not
/// listed here is a malformed message. The last few only ever appear locally, in a <see cref="ControlException"/>.
/// </summary>
internal enum ControlReason : ushort
{
    /// <summary>Not a reason; never valid on the wire.</summary>
    None = 0,

    /// <summary>BYE: the peer stops on purpose (end of run, Ctrl+C).</summary>
    Stopping = 1,

    /// <summary>BYE from the guest: it is closing the region and the socket.</summary>
    GuestShuttingDown = 2,

    /// <summary>BYE from the guest: it detached this device on purpose (for example to reset the rings).</summary>
    Detached = 3,

    /// <summary>REFUSE: a live device is attached; only one at a time.</summary>
    DeviceAlreadyAttached = 4,

    /// <summary>REFUSE: the previous device is gone but the guest has not released its slot yet. Retry.</summary>
    DeviceDetaching = 5,

    /// <summary>REFUSE: the peer runs as another user (and is not root).</summary>
    WrongUid = 6,

    /// <summary>A message failed validation (magic, type, length, a field).</summary>
    BadMessage = 7,

    /// <summary>HELLO carried a protocol version the guest does not speak.</summary>
    VersionMismatch = 8,

    /// <summary>REFUSE: the peer connected but sent no HELLO in time.</summary>
    HelloTimeout = 9,

    /// <summary>REFUSE: too many observers or half-open connections.</summary>
    TooManyPeers = 10,

    /// <summary>The region's memfd lacks F_SEAL_SHRINK, F_SEAL_GROW or F_SEAL_SEAL: it could be truncated under us.</summary>
    RegionUnsealed = 11,

    /// <summary>The region's file is shorter than the length REGION claims.</summary>
    RegionTooSmall = 12,

    /// <summary>The region descriptor is unusable: not a regular file, wrong access mode, cannot be mapped.</summary>
    BadRegion = 13,

    /// <summary>Local: no answer (or no listener) before the deadline.</summary>
    Timeout = 14,

    /// <summary>Local: the socket path is held by a live guest.</summary>
    GuestAlreadyListening = 15,

    /// <summary>Local: the socket path is a symlink, not a socket, owned by another user, or too long.</summary>
    SocketPathRefused = 16,

    /// <summary>Local: a system call failed (the message names it and the errno).</summary>
    SystemError = 17,
}
