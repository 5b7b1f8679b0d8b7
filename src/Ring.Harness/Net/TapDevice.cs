using System.Runtime.InteropServices;
using System.Text;

namespace Ring.Harness.Net;

/// <summary>
/// A Linux TAP interface opened through <c>/dev/net/tun</c> (<c>IFF_TAP | IFF_NO_PI</c>): each read returns one
/// Ethernet frame the kernel sent out of the interface, each write hands one frame to the kernel as if it arrived on
/// the interface. Non-blocking: a read with nothing waiting returns 0, a write the kernel cannot take now returns
/// false, so a poll loop never parks in the kernel; wait with <see cref="Epoll"/> on <see cref="FileDescriptor"/>.
/// </summary>
/// <remarks>
/// A TAP belongs to the network namespace of the process (thread) that opens <c>/dev/net/tun</c>: to serve a TAP
/// inside a namespace, open it from inside (<c>ip netns exec NS program</c>, or
/// <see cref="NetworkNamespace.RunInside{T}"/>). Opening attaches to an existing persistent TAP of that name
/// (<c>ip tuntap add dev NAME mode tap</c>) or creates one that disappears when this device is disposed.
/// </remarks>
public sealed unsafe class TapDevice : IDisposable
{
    /// <summary>The clone device.</summary>
    public const string ClonePath = "/dev/net/tun";

    /// <summary>The longest interface name (IFNAMSIZ less the terminating zero).</summary>
    public const int MaxNameLength = 15;

    private const nuint TunSetInterface = 0x400454CA; // TUNSETIFF = _IOW('T', 202, int)
    private const short IffTap = 0x0002;
    private const short IffNoPi = 0x1000;
    private const int InterfaceRequestLength = 40;    // struct ifreq: char ifr_name[16], then a 24-byte union
    private const int FlagsOffset = 16;               // ifr_flags, a short at the start of the union

    private int _fd;

    private TapDevice(int fd, string name)
    {
        _fd = fd;
        Name = name;
    }

    /// <summary>The interface name (the kernel's choice when the requested one had a <c>%d</c>).</summary>
    public string Name { get; }

    /// <summary>The file descriptor, for <see cref="Epoll"/>.</summary>
    public int FileDescriptor
    {
        get
        {
            ObjectDisposedException.ThrowIf(_fd < 0, this);
            return _fd;
        }
    }

    /// <summary>
    /// Opens (creating if needed) the TAP <paramref name="name"/> in this thread's network namespace. Throws
    /// <see cref="ArgumentException"/> for a bad name and <see cref="NetDeviceException"/>, with the cause in one line,
    /// when there is no <c>/dev/net/tun</c>, no permission, or the name is in use or taken by another kind of device.
    /// </summary>
    public static TapDevice Open(string name) => Open(name, ClonePath);

    /// <summary><see cref="Open(string)"/> through another clone device path (tests use a missing one).</summary>
    internal static TapDevice Open(string name, string clonePath)
    {
        if (name.Length is 0 or > MaxNameLength || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || c > 0x7E))
            throw new ArgumentException($"'{name}' is not an interface name (1 to {MaxNameLength} printable ASCII characters, no '/', ':' or spaces)");
        int fd = Libc.Open(clonePath, Libc.ReadWrite | Libc.NonBlocking | Libc.CloseOnExec);
        if (fd < 0)
            throw OpenError(name, clonePath, Marshal.GetLastPInvokeError());

        byte* request = stackalloc byte[InterfaceRequestLength];
        new Span<byte>(request, InterfaceRequestLength).Clear();
        Encoding.ASCII.GetBytes(name, new Span<byte>(request, MaxNameLength));
        *(short*)(request + FlagsOffset) = IffTap | IffNoPi;
        if (Libc.Ioctl(fd, TunSetInterface, request) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Libc.Close(fd);
            throw AttachError(name, errno);
        }
        string actual = Encoding.ASCII.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(request));
        return new TapDevice(fd, actual);
    }

    /// <summary>
    /// Reads the next frame into <paramref name="frame"/> and returns its length, or 0 when none is waiting. A frame
    /// longer than <paramref name="frame"/> is cut to it by the kernel (the rest is lost): give at least the MTU plus
    /// 14 bytes.
    /// </summary>
    public int Read(Span<byte> frame)
    {
        int fd = FileDescriptor;
        fixed (byte* buffer = frame)
        {
            while (true)
            {
                nint n = Libc.Read(fd, buffer, (nuint)frame.Length);
                if (n >= 0)
                    return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EAGAIN)
                    return 0;
                if (errno != Libc.EINTR)
                    throw new NetDeviceException($"read from TAP {Name}: {Libc.Describe(errno)}", errno);
            }
        }
    }

    /// <summary>
    /// Reads the next frame scattered over <paramref name="segments"/> (<c>readv</c>: the first bytes fill the first
    /// segment, and so on) and returns its length, or 0 when none is waiting. A frame longer than all of them together
    /// is cut (the rest is lost): give at least the MTU plus 14 bytes.
    /// </summary>
    public int Read(ref FrameSegments segments)
    {
        int fd = FileDescriptor;
        while (true)
        {
            nint n = Libc.ReadVector(fd, segments.Vectors, segments.Count);
            if (n >= 0)
                return (int)n;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EAGAIN)
                return 0;
            if (errno != Libc.EINTR)
                throw new NetDeviceException($"read from TAP {Name}: {Libc.Describe(errno)}", errno);
        }
    }

    /// <summary>
    /// Hands the frame gathered from <paramref name="segments"/> (<c>writev</c>) to the kernel as received on the
    /// interface; as <see cref="TryWrite(ReadOnlySpan{byte})"/> otherwise.
    /// </summary>
    public bool TryWrite(ref FrameSegments segments)
    {
        int fd = FileDescriptor;
        while (true)
        {
            if (Libc.WriteVector(fd, segments.Vectors, segments.Count) >= 0)
                return true;
            int errno = Marshal.GetLastPInvokeError();
            if (errno is Libc.EAGAIN or Libc.ENOBUFS or Libc.EIO)
                return false;
            if (errno != Libc.EINTR)
                throw new NetDeviceException($"write of {segments.Length} bytes to TAP {Name}: {Libc.Describe(errno)}", errno);
        }
    }

    /// <summary>
    /// Hands <paramref name="frame"/> to the kernel as received on the interface. Returns false when the kernel did
    /// not take it for a passing reason (its queue is full, EAGAIN or ENOBUFS; the interface is down, EIO): the frame
    /// is dropped, as a NIC drops on a full ring. Throws <see cref="NetDeviceException"/> for anything else.
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> frame)
    {
        int fd = FileDescriptor;
        fixed (byte* buffer = frame)
        {
            while (true)
            {
                if (Libc.Write(fd, buffer, (nuint)frame.Length) >= 0)
                    return true;
                int errno = Marshal.GetLastPInvokeError();
                if (errno is Libc.EAGAIN or Libc.ENOBUFS or Libc.EIO)
                    return false;
                if (errno != Libc.EINTR)
                    throw new NetDeviceException($"write of {frame.Length} bytes to TAP {Name}: {Libc.Describe(errno)}", errno);
            }
        }
    }

    /// <summary>Closes the file descriptor: a TAP this device created disappears, a persistent one stays.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            Libc.Close(fd);
    }

    internal static NetDeviceException OpenError(string name, string clonePath, int errno) => new(errno switch
    {
        Libc.ENOENT => $"cannot open TAP {name}: {clonePath} does not exist (no TUN/TAP support here: modprobe tun, or give the container the device)",
        Libc.ENODEV or Libc.ENXIO => $"cannot open TAP {name}: the tun driver is not loaded (modprobe tun)",
        Libc.EACCES or Libc.EPERM => $"cannot open TAP {name}: no permission to open {clonePath} (run as root or with CAP_NET_ADMIN)",
        _ => $"cannot open TAP {name}: open {clonePath}",
    } + $": {Libc.Describe(errno)}", errno);

    internal static NetDeviceException AttachError(string name, int errno) => new(errno switch
    {
        Libc.EBUSY => $"cannot open TAP {name}: the name is in use (another process has this TAP open)",
        Libc.EPERM or Libc.EACCES => $"cannot open TAP {name}: no permission (needs CAP_NET_ADMIN in its network namespace, or to own the persistent TAP)",
        Libc.EINVAL => $"cannot open TAP {name}: the name is taken by a device that is not a single-queue TAP",
        _ => $"cannot open TAP {name}: TUNSETIFF",
    } + $": {Libc.Describe(errno)}", errno);
}
