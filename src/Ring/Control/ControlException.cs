namespace Ring.Control;

/// <summary>
/// An attach, bind or handshake that failed, with its <see cref="Reason"/> and a one-line message the programs
/// print as is (a <see cref="RingException"/>, so they already report it as one line and a non-zero exit).
/// </summary>
internal sealed class ControlException(ControlReason reason, string message) : RingException(message)
{
    /// <summary>Why, as a code.</summary>
    public ControlReason Reason { get; } = reason;
}
