using System.Runtime.InteropServices;

namespace Ring.Harness.Net;

/// <summary>
/// A Linux eventfd: a counter in the kernel that one thread (or process, through an inherited descriptor) signals
/// and another waits on with <see cref="Epoll"/> beside other descriptors. Non-blocking; signalling and consuming
/// allocate nothing.
/// </summary>
public sealed unsafe class EventFd : IDisposable
{
    private int _fd;

    /// <summary>Creates the counter at 0.</summary>
    public EventFd()
    {
        _fd = Libc.EventFd(0, Libc.NonBlocking | Libc.CloseOnExec);
        if (_fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new NetDeviceException($"eventfd: {Libc.Describe(errno)}", errno);
        }
    }

    /// <summary>The file descriptor, for <see cref="Epoll.Add"/>; readable while the counter is above 0.</summary>
    public int FileDescriptor
    {
        get
        {
            ObjectDisposedException.ThrowIf(_fd < 0, this);
            return _fd;
        }
    }

    /// <summary>Adds 1 to the counter, waking a waiter. A counter at its maximum stays there (the waiter is awake anyway).</summary>
    public void Signal()
    {
        ulong one = 1;
        while (Libc.Write(FileDescriptor, (byte*)&one, sizeof(ulong)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EAGAIN)
                return;
            if (errno != Libc.EINTR)
                throw new NetDeviceException($"eventfd write: {Libc.Describe(errno)}", errno);
        }
    }

    /// <summary>Reads and resets the counter: how many signals arrived since the last consume (0 when none).</summary>
    public ulong Consume()
    {
        ulong count;
        while (Libc.Read(FileDescriptor, (byte*)&count, sizeof(ulong)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EAGAIN)
                return 0;
            if (errno != Libc.EINTR)
                throw new NetDeviceException($"eventfd read: {Libc.Describe(errno)}", errno);
        }
        return count;
    }

    /// <summary>Closes the descriptor.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            Libc.Close(fd);
    }
}
