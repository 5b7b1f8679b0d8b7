namespace Ring.Control;

/// <summary>A <see cref="PeerState"/> with its reason and one line of text (the BYE's, or what went wrong).</summary>
internal readonly record struct PeerStatus(PeerState State, ControlReason Reason, string Text)
{
    /// <summary>The peer is there.</summary>
    public static PeerStatus Alive { get; } = new(PeerState.Alive, ControlReason.None, "");

    /// <summary>Whether the peer is still there (the only state that can change).</summary>
    public bool IsAlive => State == PeerState.Alive;

    /// <summary>One line for a person: "alive", "left (Stopping: producer finished)", "died (hung up without BYE)".</summary>
    public override string ToString() => State switch
    {
        PeerState.Alive => "alive",
        PeerState.Left => $"left ({Reason}: {Text})",
        PeerState.Died => $"died ({Text})",
        _ => $"broken ({Reason}: {Text})",
    };
}
