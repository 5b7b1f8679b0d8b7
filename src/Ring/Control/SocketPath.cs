using System.Text;
using Ring.Native;

namespace Ring.Control;

/// <summary>
/// Checks a control socket path before it is bound or connected to: not too long for sun_path, and if something
/// is there, a socket owned by us (or, for a connecting peer, by root), never a symlink or another kind of file.
/// </summary>
internal static class SocketPath
{
    /// <summary>
    /// Inspects <paramref name="path"/> (an absolute path). Returns false when nothing is there, true with its
    /// <paramref name="status"/> when an acceptable socket file is; throws <see cref="ControlException"/>
    /// (<see cref="ControlReason.SocketPathRefused"/>) otherwise.
    /// </summary>
    /// <param name="path">The socket path.</param>
    /// <param name="allowRootOwner">Accept a socket owned by root as well as by us: true for a connecting peer
    /// (a root guest serving us), false for a guest about to replace a stale file (it removes only its own).</param>
    /// <param name="status">The socket file's status when it exists.</param>
    public static bool Inspect(string path, bool allowRootOwner, out FileStatus status)
    {
        int bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > UnixSocket.MaxPathBytes)
            throw Refused($"socket path {path} is {bytes} bytes; a Unix socket path holds at most {UnixSocket.MaxPathBytes}");
        int errno = Files.StatLink(path, out status);
        if (errno == Errno.ENOENT)
            return false;
        if (errno != 0)
            throw Refused($"cannot inspect socket path {path}: {Errno.Describe(errno)}");
        if (status.IsSymbolicLink)
            throw Refused($"{path} is not a Ring region: a symbolic link, which a region never is; refusing to follow it");
        if (!status.IsSocket)
            throw Refused($"{path} is not a Ring region: {status.Kind}, not a guest's control socket");
        uint own = Files.EffectiveUid;
        if (status.Uid != own && !(allowRootOwner && status.Uid == 0))
            throw Refused($"socket {path} is owned by uid {status.Uid}, not by this user (uid {own})");
        return true;
    }

    private static ControlException Refused(string message) => new(ControlReason.SocketPathRefused, message);
}
