namespace Ring.Control;

/// <summary>Who is on the other end, as the kernel says (<c>SO_PEERCRED</c>), never as the peer says.</summary>
/// <param name="Pid">The peer's pid in our pid namespace (0 when it lives in one we cannot see).</param>
/// <param name="Uid">Its effective uid at connect (or listen).</param>
/// <param name="Gid">Its effective gid at connect (or listen).</param>
internal readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    /// <summary>
    /// Whether a process running as <paramref name="ownUid"/> talks to this peer: the same user, or root (which
    /// could read our memory anyway). Another user is refused even if the socket's mode was opened up.
    /// </summary>
    public bool IsTrustedBy(uint ownUid) => Uid == ownUid || Uid == 0;
}
