namespace Ring;

/// <summary>
/// A failure of the transport that an application can act on: a missing, foreign or corrupt region, a peer that
/// died, left or broke the protocol, a handshake that timed out. <see cref="Reason"/> says which; the message is
/// one line meant for a user. Misuse of the API throws the usual argument, <see cref="InvalidOperationException"/>
/// and <see cref="ObjectDisposedException"/> exceptions instead.
/// </summary>
public class RingException : Exception
{
    /// <summary>A failure for <paramref name="reason"/>, described by <paramref name="message"/>.</summary>
    public RingException(RingErrorReason reason, string message) : base(message) => Reason = reason;

    /// <summary>A failure for <paramref name="reason"/>, caused by <paramref name="inner"/>.</summary>
    public RingException(RingErrorReason reason, string message, Exception inner) : base(message, inner) => Reason = reason;

    /// <summary>What went wrong.</summary>
    public RingErrorReason Reason { get; }
}
