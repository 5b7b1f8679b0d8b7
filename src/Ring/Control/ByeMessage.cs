namespace Ring.Control;

/// <summary>BYE: the sender is leaving on purpose and will close next. A hang-up without it is a death.</summary>
/// <param name="Reason">Why, as a code.</param>
/// <param name="Text">Why, as one line for a person.</param>
internal sealed record ByeMessage(ControlReason Reason, string Text) : ControlMessage
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Bye;
}
