using Ring.Layout;
using Ring.Native;
using Ring.Queues;

namespace Ring.Region;

/// <summary>
/// Learns what became of the peer from the region's status bits (it left, or marked the region broken) and from
/// whether its process still exists. The pid is copied once, at the handshake, and never re-read, so a peer that
/// rewrites the header cannot make a live process look dead or a dead one alive.
/// </summary>
internal sealed class PeerMonitor(RegionHeader header, bool guestSide, int peerPid) : IPeerMonitor
{
    private readonly string _peer = guestSide ? "the device" : "the guest";
    private readonly DeviceStatus _peerLeft = guestSide ? DeviceStatus.DeviceLeft : DeviceStatus.GuestLeft;
    private volatile PeerState _state;
    private int _selfBroke;

    /// <inheritdoc />
    public PeerState State => _state;

    /// <summary>This side is about to mark the region broken itself: the bits it sets are not news of the peer.</summary>
    public void BreakingOurselves() => Volatile.Write(ref _selfBroke, 1);

    /// <inheritdoc />
    public PeerState Refresh()
    {
        if (_state != PeerState.Running)
            return _state;
        var status = header.Status;
        PeerState next;
        if ((status & (DeviceStatus.Failed | DeviceStatus.DeviceNeedsReset)) != 0 && Volatile.Read(ref _selfBroke) == 0)
            next = PeerState.Failed;
        else if ((status & _peerLeft) != 0)
            next = PeerState.Left;
        else if (!Posix.ProcessExists(peerPid))
            next = PeerState.Died;
        else
            next = PeerState.Running;
        _state = next;
        return next;
    }

    /// <inheritdoc />
    public RingException Describe() => _state switch
    {
        PeerState.Left => new RingException(RingErrorReason.PeerLeft, $"{_peer} (pid {peerPid}) left before its stream ended"),
        PeerState.Died => new RingException(RingErrorReason.PeerDied, $"{_peer} (pid {peerPid}) died"),
        PeerState.Failed => (header.Status & DeviceStatus.DeviceNeedsReset) != 0
            ? new RingException(RingErrorReason.PeerFailed, $"{_peer} found a protocol violation ({Describe(header.Violation)}) and stopped")
            : new RingException(RingErrorReason.PeerFailed, $"{_peer} (pid {peerPid}) gave up and marked the region FAILED"),
        _ => new RingException(RingErrorReason.PeerDied, $"{_peer} (pid {peerPid}) is running"),
    };

    private static string Describe(ViolationCode code) =>
        Enum.IsDefined(code) ? code.ToString() : $"unknown code {(uint)code}";
}
