using Ring.Control;
using Ring.Layout;
using Ring.Queues;
using PeerState = Ring.Queues.PeerState;

namespace Ring.Region;

/// <summary>
/// Learns what became of the peer from the kernel, through the control connection: a hang-up after BYE is a peer
/// that left, a hang-up alone one that died, and a paused peer (SIGSTOP, a debugger, a GC) keeps its socket open and
/// is running. Nothing the peer wrote in the region is taken for its death. The region's status bits say whether the
/// peer gave up (FAILED, NEEDS_RESET); and the header fields fixed at the handshake are checked against a copy
/// taken then: one that changed is corruption, named, and marks the region NEEDS_RESET.
/// </summary>
internal sealed class PeerMonitor : IPeerMonitor
{
    private readonly RegionHeader _header;
    private HeaderGuard? _guard;
    private readonly string _peer;
    private Func<PeerStatus> _connection;
    private int _peerPid;
    private volatile PeerState _state;
    private volatile string? _corruption;
    private PeerStatus _last = PeerStatus.Alive;
    private int _selfBroke;

    /// <summary>A monitor of the peer at the other end of <paramref name="connection"/>, with pid <paramref name="peerPid"/>
    /// as the kernel told it.</summary>
    public PeerMonitor(RegionHeader header, bool guestSide, int peerPid, Func<PeerStatus> connection)
    {
        _header = header;
        _connection = connection;
        _peer = guestSide ? "the device" : "the guest";
        _peerPid = peerPid;
    }

    /// <inheritdoc />
    public PeerState State => _state;

    /// <summary>Watches a new peer, after a reset (the caller holds everything that reads the state): running, with no
    /// header copy until the new handshake is done.</summary>
    public void Rebind(Func<PeerStatus> connection, int peerPid)
    {
        _connection = connection;
        _peerPid = peerPid;
        _guard = null;
        _corruption = null;
        _last = PeerStatus.Alive;
        Volatile.Write(ref _selfBroke, 0);
        _state = PeerState.Running;
    }

    /// <summary>Takes the copy of the header's fixed fields, once the handshake is done; from then on a change is
    /// reported as corruption.</summary>
    public unsafe void WatchHeader(byte* regionBase) => _guard = new HeaderGuard(regionBase);

    /// <summary>This side is about to mark the region broken itself: the bits it sets are not news of the peer.</summary>
    public void BreakingOurselves() => Volatile.Write(ref _selfBroke, 1);

    /// <inheritdoc />
    public PeerState Refresh()
    {
        if (_state != PeerState.Running)
            return _state;
        // The connection first: a peer that left or died (a guest that reset the device closes the old session's
        // connection before it clears the header) is reported as such, not as the header changes that follow.
        var status = _connection();
        _last = status;
        if (status.State != Control.PeerState.Alive)
        {
            _state = status.State switch
            {
                Control.PeerState.Left => PeerState.Left,
                Control.PeerState.Died => PeerState.Died,
                _ => PeerState.Failed,
            };
            return _state;
        }
        if ((_header.Status & (DeviceStatus.Failed | DeviceStatus.DeviceNeedsReset)) != 0 && Volatile.Read(ref _selfBroke) == 0)
        {
            _state = PeerState.Failed;
            return _state;
        }
        if (_guard?.FirstChange() is { } change)
        {
            _corruption = change;
            BreakingOurselves();
            _header.ReportViolation(ViolationCode.HeaderChanged);
            _state = PeerState.Failed;
        }
        return _state;
    }

    /// <inheritdoc />
    public RingException Describe()
    {
        if (_corruption is { } change)
            return new RingException(RingErrorReason.ProtocolViolation, $"the region's header changed after the handshake: {change}");
        return _state switch
        {
            PeerState.Left => new RingException(RingErrorReason.PeerLeft,
                $"{_peer} (pid {_peerPid}) left before its stream ended{(_last.Text.Length > 0 ? $": {_last.Text}" : "")}"),
            PeerState.Died => new RingException(RingErrorReason.PeerDied, $"{_peer} (pid {_peerPid}) died"),
            PeerState.Failed when _last.State == Control.PeerState.Broken =>
                new RingException(RingErrorReason.ProtocolViolation, $"{_peer} (pid {_peerPid}) broke the control channel: {_last.Text}"),
            PeerState.Failed when (_header.Status & DeviceStatus.DeviceNeedsReset) != 0 =>
                new RingException(RingErrorReason.PeerFailed, $"{_peer} found a protocol violation ({Name(_header.Violation)}) and stopped"),
            PeerState.Failed => new RingException(RingErrorReason.PeerFailed, $"{_peer} (pid {_peerPid}) gave up and marked the region FAILED"),
            _ => new RingException(RingErrorReason.PeerDied, $"{_peer} (pid {_peerPid}) is running"),
        };
    }

    private static string Name(ViolationCode code) => Enum.IsDefined(code) ? code.ToString() : $"unknown code {(uint)code}";
}
