using System.Runtime.InteropServices;

namespace Ring.Native;

/// <summary>
/// File calls the control channel needs and .NET does not expose: opening without following a symlink, fcntl seals,
/// flock, <c>statx</c> (owner and inode), the effective uid. Every call that can fail returns 0 or errno, so callers
/// turn failures into one-line messages instead of exceptions.
/// </summary>
internal static unsafe partial class Files
{
    public const int O_RDONLY = 0;
    public const int O_RDWR = 2;
    public const int O_ACCMODE = 3;
    public const int O_CREAT = 0x40;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>Mode 0600: read and write for the owner only.</summary>
    public const uint UserReadWrite = 0x180;

    /// <summary>Fail with ELOOP when the last component is a symlink. Differs between x64 and arm64.</summary>
    public static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x20000,
        Architecture.Arm64 => 0x8000,
        var other => throw new PlatformNotSupportedException($"O_NOFOLLOW unknown for {other}"),
    };

    private const int F_GETFL = 3;
    private const int F_ADD_SEALS = 1033;
    private const int F_GET_SEALS = 1034;
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int AT_FDCWD = -100;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_BASIC_STATS = 0x7FF;
    private const int StatxLength = 256;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenCore(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(FileDescriptor fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(FileDescriptor fd, int operation);

    [LibraryImport("libc", EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnlinkCore(string path);

    [LibraryImport("libc", EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ChmodCore(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUid();

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxPath(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxDescriptor(FileDescriptor fd, string path, int flags, uint mask, byte* buffer);

    /// <summary>This process's effective uid.</summary>
    public static uint EffectiveUid => GetEffectiveUid();

    /// <summary><c>open(path, flags, mode)</c>; <paramref name="flags"/> should include <see cref="O_CLOEXEC"/>.</summary>
    public static int Open(string path, int flags, uint mode, out FileDescriptor? fd)
    {
        int number = OpenCore(path, flags, (int)mode);
        if (number < 0)
        {
            fd = null;
            return Errno.Last;
        }
        fd = new FileDescriptor(number);
        return 0;
    }

    /// <summary>The access mode the descriptor was opened with: <see cref="O_RDONLY"/> or <see cref="O_RDWR"/> (or O_WRONLY).</summary>
    public static int AccessMode(FileDescriptor fd, out int accessMode)
    {
        int flags = Fcntl(fd, F_GETFL, 0);
        accessMode = flags & O_ACCMODE;
        return flags < 0 ? Errno.Last : 0;
    }

    /// <summary>Adds <paramref name="seals"/> (<c>F_ADD_SEALS</c>); EPERM once F_SEAL_SEAL is set.</summary>
    public static int AddSeals(FileDescriptor fd, int seals) => Fcntl(fd, F_ADD_SEALS, seals) < 0 ? Errno.Last : 0;

    /// <summary>The seals on the file (<c>F_GET_SEALS</c>); EINVAL for a file that cannot carry seals (not a memfd).</summary>
    public static int GetSeals(FileDescriptor fd, out int seals)
    {
        seals = Fcntl(fd, F_GET_SEALS, 0);
        return seals < 0 ? Errno.Last : 0;
    }

    /// <summary>Takes an exclusive <c>flock</c> without waiting: EAGAIN (EWOULDBLOCK) when another holder has it.
    /// The kernel releases it when the last descriptor of the open file closes, so a killed holder never leaves it.</summary>
    public static int TryLockExclusive(FileDescriptor fd) => Flock(fd, LOCK_EX | LOCK_NB) < 0 ? Errno.Last : 0;

    /// <summary>Removes the name <paramref name="path"/>.</summary>
    public static int Unlink(string path) => UnlinkCore(path) < 0 ? Errno.Last : 0;

    /// <summary>Sets the permission bits of <paramref name="path"/>.</summary>
    public static int Chmod(string path, uint mode) => ChmodCore(path, mode) < 0 ? Errno.Last : 0;

    /// <summary><c>lstat</c>: the status of <paramref name="path"/> itself, a symlink not followed.</summary>
    public static int StatLink(string path, out FileStatus status)
    {
        byte* buffer = stackalloc byte[StatxLength];
        int result = StatxPath(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer);
        status = result < 0 ? default : Decode(new ReadOnlySpan<byte>(buffer, StatxLength));
        return result < 0 ? Errno.Last : 0;
    }

    /// <summary><c>fstat</c>: the status of the open file <paramref name="fd"/>.</summary>
    public static int Stat(FileDescriptor fd, out FileStatus status)
    {
        byte* buffer = stackalloc byte[StatxLength];
        int result = StatxDescriptor(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, buffer);
        status = result < 0 ? default : Decode(new ReadOnlySpan<byte>(buffer, StatxLength));
        return result < 0 ? Errno.Last : 0;
    }

    /// <summary>Reads <c>struct statx</c> by its fixed offsets (the same on every architecture; native byte order).</summary>
    private static FileStatus Decode(ReadOnlySpan<byte> statx) => new(
        Mode: MemoryMarshal.Read<ushort>(statx[28..]),                 // stx_mode
        Uid: MemoryMarshal.Read<uint>(statx[20..]),                    // stx_uid
        Device: (ulong)MemoryMarshal.Read<uint>(statx[136..]) << 32    // stx_dev_major
            | MemoryMarshal.Read<uint>(statx[140..]),                  // stx_dev_minor
        Inode: MemoryMarshal.Read<ulong>(statx[32..]),                 // stx_ino
        Size: MemoryMarshal.Read<long>(statx[40..]));                  // stx_size
}
