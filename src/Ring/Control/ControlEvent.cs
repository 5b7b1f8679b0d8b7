namespace Ring.Control;

/// <summary>One thing that happened on a <see cref="ControlListener"/>; <see cref="ToString"/> is a line to print.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Peer">Who (from the kernel).</param>
/// <param name="Generation">For <see cref="ControlEventKind.DeviceAttached"/>: the new session's generation; else the current one.</param>
/// <param name="Status">For the Gone kinds, how the peer went; for <see cref="ControlEventKind.Refused"/>, the reason
/// and text sent in REFUSE; for the Attached kinds, alive, with a note if HELLO's pid is not the kernel's.</param>
internal readonly record struct ControlEvent(ControlEventKind Kind, PeerCredentials Peer, ulong Generation, PeerStatus Status)
{
    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ControlEventKind.DeviceAttached => $"device (pid {Peer.Pid}) attached, session generation {Generation}{Note}",
        ControlEventKind.DeviceGone => $"device (pid {Peer.Pid}) {Status}",
        ControlEventKind.ObserverAttached => $"observer (pid {Peer.Pid}) attached{Note}",
        ControlEventKind.ObserverGone => $"observer (pid {Peer.Pid}) {Status}",
        _ => $"refused pid {Peer.Pid} ({Status.Reason}): {Status.Text}",
    };

    private string Note => string.IsNullOrEmpty(Status.Text) ? "" : $" ({Status.Text})";
}
