namespace Ring.Control;

/// <summary>REFUSE: the guest turns the peer away; it closes the connection after sending this.</summary>
/// <param name="Reason">Why, as a code.</param>
/// <param name="Text">Why, as one line for a person, e.g. "a device is already attached (pid 4242)".</param>
internal sealed record RefuseMessage(ControlReason Reason, string Text) : ControlMessage
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Refuse;
}
