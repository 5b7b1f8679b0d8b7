using Ring.Native;

namespace Ring.Control;

/// <summary>
/// The guest role's exclusivity: an exclusive <c>flock</c> on <c>&lt;socket path&gt;.lock</c>, held for the
/// listener's life. The kernel drops it when the holder exits however it exits, so a lock that cannot be taken
/// means a live guest, and a socket file found while holding it is stale by definition. Without it two guests
/// that both found the same stale socket could each remove it and bind, and one would listen on a file nobody
/// can reach.
/// </summary>
internal sealed class ListenerLock : IDisposable
{
    /// <summary>Attempts when the lock file is replaced between our open and our lock (another guest's dispose).</summary>
    private const int Attempts = 4;

    private readonly FileDescriptor _fd;
    private readonly FileStatus _file;

    private ListenerLock(string path, FileDescriptor fd, FileStatus file)
    {
        Path = path;
        _fd = fd;
        _file = file;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>
    /// Takes the lock at <paramref name="path"/>, creating the file (mode 0600) if needed. Returns null when a live
    /// process holds it. Throws <see cref="ControlException"/> for a lock path that is a symlink, not a regular file
    /// or another user's.
    /// </summary>
    public static ListenerLock? TryAcquire(string path)
    {
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            int errno = Files.Open(path, Files.O_RDWR | Files.O_CREAT | Files.O_NOFOLLOW | Files.O_CLOEXEC | Files.O_NONBLOCK, Files.UserReadWrite, out var fd);
            if (errno == Errno.ELOOP)
                throw new ControlException(ControlReason.SocketPathRefused, $"lock file {path} is a symbolic link; refusing to follow it");
            if (errno != 0)
                throw new ControlException(ControlReason.SystemError, $"opening lock file {path} failed: {Errno.Describe(errno)}");
            try
            {
                errno = Files.Stat(fd!, out var held);
                if (errno != 0)
                    throw new ControlException(ControlReason.SystemError, $"fstat of lock file {path} failed: {Errno.Describe(errno)}");
                if (!held.IsRegularFile || held.Uid != Files.EffectiveUid)
                    throw new ControlException(ControlReason.SocketPathRefused,
                        $"lock file {path} is {held.Kind} owned by uid {held.Uid}; expected a regular file of uid {Files.EffectiveUid}");
                errno = Files.TryLockExclusive(fd!);
                if (errno == Errno.EAGAIN)
                {
                    fd!.Dispose();
                    return null;
                }
                if (errno != 0)
                    throw new ControlException(ControlReason.SystemError, $"locking {path} failed: {Errno.Describe(errno)}");
                // The name may have been unlinked (by a guest disposing) between our open and our lock: then we
                // hold a lock on a file nobody else will open. Only a lock on the file the name still names counts.
                if (Files.StatLink(path, out var named) == 0 && named.IsSameFileAs(held))
                    return new ListenerLock(path, fd!, held);
                fd!.Dispose();
            }
            catch
            {
                fd!.Dispose();
                throw;
            }
        }
        throw new ControlException(ControlReason.SystemError, $"lock file {path} kept being replaced; giving up");
    }

    /// <summary>Removes the lock file (if the name is still ours) while holding the lock, then releases it.</summary>
    public void Dispose()
    {
        if (_fd.IsClosed)
            return;
        if (Files.StatLink(Path, out var named) == 0 && named.IsSameFileAs(_file))
            Files.Unlink(Path);
        _fd.Dispose();
    }
}
