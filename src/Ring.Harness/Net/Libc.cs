using System.Runtime.InteropServices;

namespace Ring.Harness.Net;

/// <summary>
/// The Linux system calls the TAP device, epoll, eventfd and namespace entry use, through the C library. Every one
/// sets errno on failure (<see cref="Marshal.GetLastPInvokeError"/>). Constants are the x86-64 and arm64 values, which
/// agree for everything here; the one layout that differs between them, <c>struct epoll_event</c>, is handled in
/// <see cref="Epoll"/>.
/// </summary>
internal static unsafe partial class Libc
{
    public const int ReadWrite = 0x0002;        // O_RDWR
    public const int ReadOnly = 0x0000;         // O_RDONLY
    public const int NonBlocking = 0x0800;      // O_NONBLOCK, also EFD_NONBLOCK
    public const int CloseOnExec = 0x80000;     // O_CLOEXEC, also EFD_CLOEXEC and EPOLL_CLOEXEC

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOBUFS = 105;
    public const int EBADFD = 77;

    public const int CloneNewNet = 0x40000000;  // CLONE_NEWNET, for setns

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "readv", SetLastError = true)]
    public static partial nint ReadVector(int fd, FrameSegments.IoVector* vectors, int count);

    [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
    public static partial nint WriteVector(int fd, FrameSegments.IoVector* vectors, int count);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollControl(int epoll, int operation, int fd, byte* events);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epoll, byte* events, int capacity, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNamespace(int fd, int type);

    /// <summary>errno's symbolic name where this file knows it, else <c>errno N</c>.</summary>
    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM", ENOENT => "ENOENT", EINTR => "EINTR", EIO => "EIO", ENXIO => "ENXIO", EBADF => "EBADF",
        EAGAIN => "EAGAIN", EACCES => "EACCES", EBUSY => "EBUSY", ENODEV => "ENODEV", EINVAL => "EINVAL",
        ENOBUFS => "ENOBUFS", EBADFD => "EBADFD", _ => $"errno {errno}",
    };

    /// <summary>errno's name and text, for messages: <c>EBUSY (Device or resource busy)</c>.</summary>
    public static string Describe(int errno) => $"{Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";
}
