namespace Ring.Control;

/// <summary>HELLO: the first message of a peer. Its version is <see cref="ControlProtocol.Version"/> (the codec
/// refuses any other).</summary>
/// <param name="Role">What the peer asks to be.</param>
/// <param name="ClaimedPid">The pid the peer says it has: for logs only; the guest uses <c>SO_PEERCRED</c>.</param>
internal sealed record HelloMessage(PeerRole Role, int ClaimedPid) : ControlMessage
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Hello;
}
