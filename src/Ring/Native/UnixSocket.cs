using System.Runtime.InteropServices;
using System.Text;

namespace Ring.Native;

/// <summary>
/// AF_UNIX SOCK_SEQPACKET sockets: connection-oriented like a stream (so the kernel reports the peer's hang-up),
/// message-oriented like a datagram (one send is one receive, boundaries kept). Every socket is created
/// non-blocking and close-on-exec; waiting is done with <see cref="Poll"/> and a timeout, never inside a call.
/// Every method returns 0 or errno.
/// </summary>
/// <remarks>The structs are the 64-bit Linux layouts (x64 and arm64 agree); Ring does not run 32-bit.</remarks>
internal static unsafe partial class UnixSocket
{
    /// <summary>Data to read, or the hang-up's end-of-file.</summary>
    public const short POLLIN = 0x1;
    /// <summary>Both directions are shut: the peer's socket is gone.</summary>
    public const short POLLHUP = 0x10;
    /// <summary>The peer shut down its sending side (closed, died, or called shutdown).</summary>
    public const short POLLRDHUP = 0x2000;

    /// <summary>Longest socket path in bytes (sun_path is 108 with the terminating NUL).</summary>
    public const int MaxPathBytes = 107;

    /// <summary>Descriptors one receive can take in; more are discarded by the kernel and flagged as truncation.</summary>
    public const int MaxReceivedDescriptors = 8;

    private const int AF_UNIX = 1;
    private const int SOCK_SEQPACKET = 5;
    private const int SOCK_NONBLOCK = 0x800;
    private const int SOCK_CLOEXEC = 0x80000;
    private const int SOL_SOCKET = 1;
    private const int SO_PEERCRED = 17;
    private const int SCM_RIGHTS = 1;
    private const int MSG_CTRUNC = 0x8;
    private const int MSG_TRUNC = 0x20;
    private const int MSG_DONTWAIT = 0x40;
    private const int MSG_NOSIGNAL = 0x4000;
    private const int MSG_CMSG_CLOEXEC = 0x40000000;

    /// <summary>sizeof(struct cmsghdr), also CMSG_ALIGN of it: where CMSG_DATA starts.</summary>
    private static readonly int CmsgHeaderLength = sizeof(CmsgHeader);

    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrUn
    {
        public ushort Family;
        public fixed byte Path[MaxPathBytes + 1];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Ucred
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    /// <summary>One entry of a <see cref="Poll"/> set (<c>struct pollfd</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollEntry
    {
        /// <summary>Descriptor number; a negative one is skipped by the kernel.</summary>
        public int Fd;
        /// <summary>Events asked for.</summary>
        public short Events;
        /// <summary>Events that happened (POLLERR, POLLHUP, POLLNVAL are reported even unasked).</summary>
        public short Returned;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketCore(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int BindCore(FileDescriptor socket, SockaddrUn* address, uint length);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    private static partial int ListenCore(FileDescriptor socket, int backlog);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    private static partial int Accept4(FileDescriptor socket, void* address, uint* length, int flags);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static partial int ConnectCore(FileDescriptor socket, SockaddrUn* address, uint length);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOpt(FileDescriptor socket, int level, int name, void* value, uint* length);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMsg(FileDescriptor socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(FileDescriptor socket, MessageHeader* message, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollCore(PollEntry* entries, nuint count, int timeoutMilliseconds);

    /// <summary>A new non-blocking, close-on-exec SOCK_SEQPACKET socket.</summary>
    public static int Create(out FileDescriptor? socket)
    {
        int number = SocketCore(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        socket = number < 0 ? null : new FileDescriptor(number);
        return number < 0 ? Errno.Last : 0;
    }

    /// <summary>Creates the socket file <paramref name="path"/> (EADDRINUSE if any file has that name).</summary>
    public static int Bind(FileDescriptor socket, string path)
    {
        if (!TryAddress(path, out var address, out uint length))
            return Errno.ENAMETOOLONG;
        return BindCore(socket, &address, length) < 0 ? Errno.Last : 0;
    }

    /// <summary>Starts accepting connections.</summary>
    public static int Listen(FileDescriptor socket, int backlog) => ListenCore(socket, backlog) < 0 ? Errno.Last : 0;

    /// <summary>Takes one waiting connection, non-blocking and close-on-exec; EAGAIN when none waits.</summary>
    public static int Accept(FileDescriptor listener, out FileDescriptor? connection)
    {
        int number = Accept4(listener, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
        connection = number < 0 ? null : new FileDescriptor(number);
        return number < 0 ? Errno.Last : 0;
    }

    /// <summary>
    /// Connects to the listener at <paramref name="path"/>. A Unix connect completes at once or fails: ENOENT (no
    /// such file), ECONNREFUSED (a socket file nobody listens on: a stale one), EAGAIN (backlog full), EACCES.
    /// </summary>
    public static int Connect(FileDescriptor socket, string path)
    {
        if (!TryAddress(path, out var address, out uint length))
            return Errno.ENAMETOOLONG;
        return ConnectCore(socket, &address, length) < 0 ? Errno.Last : 0;
    }

    /// <summary>
    /// The peer's pid, uid and gid as the kernel recorded them at connect (for a connecting socket) or listen (for
    /// a listening one), translated into our pid namespace: <c>SO_PEERCRED</c>, not anything the peer said.
    /// </summary>
    public static int PeerCredentials(FileDescriptor socket, out int pid, out uint uid, out uint gid)
    {
        Ucred credentials;
        uint length = (uint)sizeof(Ucred);
        int result = GetSockOpt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &length);
        (pid, uid, gid) = (credentials.Pid, credentials.Uid, credentials.Gid);
        return result < 0 ? Errno.Last : 0;
    }

    /// <summary>
    /// Sends <paramref name="message"/> as one message, with <paramref name="passed"/> attached as SCM_RIGHTS when
    /// given (the peer receives its own descriptor for the same open file). Never blocks (EAGAIN when the peer's
    /// queue is full) and never raises SIGPIPE (EPIPE when the peer is gone).
    /// </summary>
    public static int Send(FileDescriptor socket, ReadOnlySpan<byte> message, FileDescriptor? passed)
    {
        bool added = false;
        try
        {
            passed?.DangerousAddRef(ref added);
            ulong* control = stackalloc ulong[3]; // CMSG_SPACE(sizeof(int)) = 24, aligned for cmsghdr
            fixed (byte* data = message)
            {
                var vector = new IoVector { Base = data, Length = (nuint)message.Length };
                var header = new MessageHeader { Vectors = &vector, VectorCount = 1 };
                if (passed is not null)
                {
                    var cmsg = (CmsgHeader*)control;
                    cmsg->Length = (nuint)(CmsgHeaderLength + sizeof(int)); // CMSG_LEN(sizeof(int))
                    cmsg->Level = SOL_SOCKET;
                    cmsg->Type = SCM_RIGHTS;
                    *(int*)((byte*)cmsg + CmsgHeaderLength) = passed.Number;
                    header.Control = control;
                    header.ControlLength = 3 * sizeof(ulong);
                }
                nint sent = SendMsg(socket, &header, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (sent < 0)
                    return Errno.Last;
                return sent == message.Length ? 0 : Errno.EAGAIN; // SEQPACKET sends all or nothing
            }
        }
        finally
        {
            if (added)
                passed!.DangerousRelease();
        }
    }

    /// <summary>
    /// Receives one message into <paramref name="buffer"/> without blocking (EAGAIN when none is queued).
    /// <paramref name="length"/> 0 means end-of-file: the peer's end is closed. Descriptors attached by the peer
    /// arrive close-on-exec; the first is handed out in <paramref name="passed"/> (the caller owns it) and any
    /// further ones are closed here at once; <paramref name="passedCount"/> says how many came. <paramref
    /// name="truncated"/> is set when the message or its descriptors did not fit.
    /// </summary>
    public static int Receive(FileDescriptor socket, Span<byte> buffer, out int length, out FileDescriptor? passed,
        out int passedCount, out bool truncated)
    {
        const int ControlWords = 2 + MaxReceivedDescriptors / 2; // CMSG_SPACE(8 * sizeof(int)) = 48 bytes
        ulong* control = stackalloc ulong[ControlWords];
        (length, passed, passedCount, truncated) = (0, null, 0, false);
        fixed (byte* data = buffer)
        {
            var vector = new IoVector { Base = data, Length = (nuint)buffer.Length };
            var header = new MessageHeader
            {
                Vectors = &vector,
                VectorCount = 1,
                Control = control,
                ControlLength = ControlWords * sizeof(ulong),
            };
            nint received = RecvMsg(socket, &header, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
            if (received < 0)
                return Errno.Last;
            length = (int)received;
            truncated = (header.Flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
            TakeDescriptors(&header, ref passed, ref passedCount);
            return 0;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (0: just look, -1: forever) for any entry's events.
    /// EINTR counts as nothing ready. The caller keeps the descriptors open for the call (see
    /// <see cref="PollOne"/> for a single owned descriptor).
    /// </summary>
    public static int Poll(Span<PollEntry> entries, int timeoutMilliseconds, out int ready)
    {
        fixed (PollEntry* set = entries)
            ready = PollCore(set, (nuint)entries.Length, timeoutMilliseconds);
        if (ready >= 0)
            return 0;
        int errno = Errno.Last;
        ready = 0;
        return errno == Errno.EINTR ? 0 : errno;
    }

    /// <summary>
    /// Polls one descriptor, holding a reference to it for the call; returns the events that happened. A failed
    /// poll (only ENOMEM is possible here) reports nothing: a death is never inferred from our own failure.
    /// </summary>
    public static short PollOne(FileDescriptor fd, short events, int timeoutMilliseconds)
    {
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            Span<PollEntry> entry = [new PollEntry { Fd = fd.Number, Events = events }];
            int errno = Poll(entry, timeoutMilliseconds, out int ready);
            return errno != 0 || ready == 0 ? (short)0 : entry[0].Returned;
        }
        finally
        {
            if (added)
                fd.DangerousRelease();
        }
    }

    /// <summary>Owns every SCM_RIGHTS descriptor the kernel installed: the first goes out, the rest are closed.</summary>
    private static void TakeDescriptors(MessageHeader* header, ref FileDescriptor? passed, ref int passedCount)
    {
        byte* start = (byte*)header->Control;
        byte* end = start + header->ControlLength;
        byte* cursor = start;
        while (cursor + CmsgHeaderLength <= end)
        {
            var cmsg = (CmsgHeader*)cursor;
            nuint cmsgLength = cmsg->Length;
            if (cmsgLength < (nuint)CmsgHeaderLength || cursor + cmsgLength > end)
                break;
            if (cmsg->Level == SOL_SOCKET && cmsg->Type == SCM_RIGHTS)
            {
                int count = (int)((cmsgLength - (nuint)CmsgHeaderLength) / sizeof(int));
                int* fds = (int*)(cursor + CmsgHeaderLength);
                for (int i = 0; i < count; i++, passedCount++)
                {
                    var fd = new FileDescriptor(fds[i]);
                    if (passed is null)
                        passed = fd;
                    else
                        fd.Dispose();
                }
            }
            cursor += (cmsgLength + (nuint)sizeof(nuint) - 1) & ~((nuint)sizeof(nuint) - 1); // CMSG_NXTHDR
        }
    }

    /// <summary>Fills a sockaddr_un for <paramref name="path"/>; false when it does not fit in sun_path.</summary>
    private static bool TryAddress(string path, out SockaddrUn address, out uint length)
    {
        address = default;
        address.Family = AF_UNIX;
        int bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxPathBytes || path.Contains('\0'))
        {
            length = 0;
            return false;
        }
        fixed (byte* destination = address.Path)
            Encoding.UTF8.GetBytes(path, new Span<byte>(destination, MaxPathBytes));
        length = (uint)(sizeof(ushort) + bytes + 1);
        return true;
    }
}
