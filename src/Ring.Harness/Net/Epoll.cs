using System.Runtime.InteropServices;

namespace Ring.Harness.Net;

/// <summary>
/// An epoll instance: waits, with a timeout, until one of several file descriptors is ready (a TAP, an
/// <see cref="EventFd"/>, a socket). Level-triggered: a descriptor stays ready until it is drained. Waiting allocates
/// nothing. Not thread-safe: one thread adds, removes and waits.
/// </summary>
public sealed unsafe class Epoll : IDisposable
{
    private const int ControlAdd = 1;    // EPOLL_CTL_ADD
    private const int ControlDelete = 2; // EPOLL_CTL_DEL
    private const int ControlModify = 3; // EPOLL_CTL_MOD

    /// <summary>
    /// sizeof(struct epoll_event): x86-64 packs it (u32 events, u64 data: 12 bytes); every other Linux ABI aligns
    /// data to 8 (16 bytes). The descriptor travels in data.
    /// </summary>
    private static readonly int EventLength = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = EventLength - sizeof(ulong);

    private readonly byte[] _events;
    private int _fd;

    /// <summary>Creates the instance; one wait reports at most <paramref name="capacity"/> ready descriptors.</summary>
    public Epoll(int capacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _events = new byte[capacity * EventLength];
        _fd = Libc.EpollCreate(Libc.CloseOnExec);
        if (_fd < 0)
            throw Error("epoll_create1", Marshal.GetLastPInvokeError());
    }

    /// <summary>Watches <paramref name="fd"/> for <paramref name="events"/>.</summary>
    public void Add(int fd, EpollEvents events = EpollEvents.Readable) => Control(ControlAdd, fd, events);

    /// <summary>Changes what <paramref name="fd"/> is watched for.</summary>
    public void Modify(int fd, EpollEvents events) => Control(ControlModify, fd, events);

    /// <summary>Stops watching <paramref name="fd"/>.</summary>
    public void Remove(int fd) => Control(ControlDelete, fd, EpollEvents.None);

    /// <summary>
    /// Waits until a watched descriptor is ready or <paramref name="timeoutMilliseconds"/> pass (-1: no limit, 0: just
    /// look). Fills <paramref name="ready"/> and returns how many it filled; 0 on timeout or when a signal interrupted.
    /// </summary>
    public int Wait(Span<EpollReady> ready, int timeoutMilliseconds)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        int capacity = Math.Min(ready.Length, _events.Length / EventLength);
        int n;
        fixed (byte* events = _events)
        {
            n = Libc.EpollWait(_fd, events, capacity, timeoutMilliseconds);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno == Libc.EINTR ? 0 : throw Error("epoll_wait", errno);
            }
            for (int i = 0; i < n; i++)
            {
                byte* e = events + i * EventLength;
                ready[i] = new EpollReady((int)*(ulong*)(e + DataOffset), (EpollEvents)(*(uint*)e));
            }
        }
        return n;
    }

    /// <summary><see cref="Wait(Span{EpollReady}, int)"/> with a <see cref="TimeSpan"/>, rounded up to whole milliseconds;
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits with no limit.</summary>
    public int Wait(Span<EpollReady> ready, TimeSpan timeout) =>
        Wait(ready, timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Min(int.MaxValue, Math.Ceiling(Math.Max(0, timeout.TotalMilliseconds))));

    /// <summary>Closes the instance.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            Libc.Close(fd);
    }

    private void Control(int operation, int fd, EpollEvents events)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        byte* e = stackalloc byte[16];
        new Span<byte>(e, 16).Clear();
        *(uint*)e = (uint)events;
        *(ulong*)(e + DataOffset) = (ulong)fd;
        if (Libc.EpollControl(_fd, operation, fd, e) < 0)
            throw Error($"epoll_ctl({(operation == ControlAdd ? "add" : operation == ControlDelete ? "delete" : "modify")} fd {fd})",
                Marshal.GetLastPInvokeError());
    }

    private static NetDeviceException Error(string call, int errno) => new($"{call}: {Libc.Describe(errno)}", errno);
}
