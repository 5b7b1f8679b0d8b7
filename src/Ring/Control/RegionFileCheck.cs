using Microsoft.Win32.SafeHandles;
using Ring.Native;

namespace Ring.Control;

/// <summary>
/// Opens a file-backed region safely, for wherever regions stay files: the path's last component is not followed
/// if it is a symlink (O_NOFOLLOW), and the checks run on the opened descriptor (<c>fstat</c>), so the file cannot
/// be swapped between check and use. Directories above the last component are trusted as the caller named them.
/// </summary>
internal static class RegionFileCheck
{
    /// <summary>
    /// Opens <paramref name="path"/> (read-write or read-only, close-on-exec, O_NONBLOCK so a FIFO cannot hang the
    /// open) and checks that it is a regular file owned by this user. On success returns
    /// <see cref="RegionFileProblem.None"/> with the open <paramref name="file"/> (the caller owns it; FileStream and
    /// MemoryMappedFile take it as is) and its <paramref name="length"/>; otherwise the problem and one line.
    /// </summary>
    public static RegionFileProblem TryOpen(string path, bool writable, out SafeFileHandle? file, out long length, out string description)
    {
        file = null;
        length = 0;
        int flags = (writable ? Files.O_RDWR : Files.O_RDONLY) | Files.O_NOFOLLOW | Files.O_CLOEXEC | Files.O_NONBLOCK;
        int errno = Files.Open(path, flags, 0, out var fd);
        if (errno != 0)
        {
            var problem = errno switch
            {
                Errno.ENOENT => RegionFileProblem.Missing,
                Errno.ELOOP => RegionFileProblem.SymbolicLink,
                Errno.EACCES or Errno.EPERM => RegionFileProblem.AccessDenied,
                _ => RegionFileProblem.SystemError,
            };
            description = problem == RegionFileProblem.SymbolicLink
                ? $"region {path} is a symbolic link; refusing to follow it"
                : $"cannot open region {path}: {Errno.Describe(errno)}";
            return problem;
        }
        errno = Files.Stat(fd!, out var status);
        var found = errno != 0 ? RegionFileProblem.SystemError
            : !status.IsRegularFile ? RegionFileProblem.NotRegularFile
            : status.Uid != Files.EffectiveUid ? RegionFileProblem.OwnedByOtherUser
            : RegionFileProblem.None;
        description = found switch
        {
            RegionFileProblem.SystemError => $"fstat of region {path} failed: {Errno.Describe(errno)}",
            RegionFileProblem.NotRegularFile => $"region {path} is {status.Kind}, not a regular file",
            RegionFileProblem.OwnedByOtherUser => $"region {path} is owned by uid {status.Uid}, not by this user (uid {Files.EffectiveUid})",
            _ => "",
        };
        if (found != RegionFileProblem.None)
        {
            fd!.Dispose();
            return found;
        }
        length = status.Size;
        file = new SafeFileHandle(fd!.DangerousGetHandle(), ownsHandle: true);
        fd.SetHandleAsInvalid(); // ownership moved to the SafeFileHandle: exactly one of them will close it
        return RegionFileProblem.None;
    }

    /// <summary>
    /// Whether a file of <paramref name="fileLength"/> bytes holds the <paramref name="claimedLength"/> its header
    /// claims: <see cref="RegionFileProblem.TooShort"/> with one line if not.
    /// </summary>
    public static RegionFileProblem CheckLength(string path, long fileLength, long claimedLength, out string description)
    {
        description = fileLength >= claimedLength ? ""
            : $"region {path} has {fileLength} bytes but its header claims {claimedLength}: it was truncated or is not a whole region";
        return fileLength >= claimedLength ? RegionFileProblem.None : RegionFileProblem.TooShort;
    }
}
