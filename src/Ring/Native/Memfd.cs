using System.Runtime.InteropServices;

namespace Ring.Native;

/// <summary>
/// Anonymous shared memory as a file (<c>memfd_create</c>): it lives until the last descriptor and mapping are
/// gone, has no path another process could open, truncate or replace, and can be sealed so its size is fixed.
/// </summary>
internal static partial class Memfd
{
    /// <summary>No further seals may be added (so nobody can add F_SEAL_WRITE under the peer's writable mapping).</summary>
    public const int SealSeal = 0x1;
    /// <summary>The file can no longer shrink: no side can ftruncate pages away and make the other take SIGBUS.</summary>
    public const int SealShrink = 0x2;
    /// <summary>The file can no longer grow.</summary>
    public const int SealGrow = 0x4;
    /// <summary>No writes at all; a region with it cannot be mapped read-write.</summary>
    public const int SealWrite = 0x8;
    /// <summary>No new writable mappings (Linux 5.1).</summary>
    public const int SealFutureWrite = 0x10;

    /// <summary>The seals Ring puts on a region and requires of one it receives.</summary>
    public const int RegionSeals = SealShrink | SealGrow | SealSeal;

    private const uint MFD_CLOEXEC = 0x1;
    private const uint MFD_ALLOW_SEALING = 0x2;
    private const uint MFD_NOEXEC_SEAL = 0x8;

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int Ftruncate(FileDescriptor fd, long length);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(FileDescriptor fd, int mode, long offset, long length);

    /// <summary>
    /// Creates a close-on-exec, sealable memfd called <paramref name="name"/> (shown as <c>/memfd:name</c> in
    /// /proc/PID/fd). Asks for MFD_NOEXEC_SEAL too (Linux 6.3: the region can never be executable, and kernels
    /// with vm.memfd_noexec set refuse or log memfds without it), and falls back without it on older kernels.
    /// </summary>
    public static int Create(string name, out FileDescriptor? fd)
    {
        int number = MemfdCreate(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
        if (number < 0 && Errno.Last == Errno.EINVAL)
            number = MemfdCreate(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (number < 0)
        {
            fd = null;
            return Errno.Last;
        }
        fd = new FileDescriptor(number);
        return 0;
    }

    /// <summary>Sets the size (<c>ftruncate</c>); EPERM once the matching seal is on.</summary>
    public static int SetLength(FileDescriptor fd, long length) => Ftruncate(fd, length) < 0 ? Errno.Last : 0;

    /// <summary>
    /// Allocates every page now (<c>fallocate</c>), so memory that runs out fails here with ENOSPC or ENOMEM rather
    /// than later with SIGBUS on first touch, as the region file does with its preallocation.
    /// </summary>
    public static int Reserve(FileDescriptor fd, long length) => Fallocate(fd, 0, 0, length) < 0 ? Errno.Last : 0;
}
