using System.Runtime.InteropServices;

namespace Ring.Native;

/// <summary>
/// Owns one file descriptor (socket, memfd, lock file) and closes it exactly once, when disposed or finalized.
/// P/Invokes take it as a <see cref="SafeHandle"/>, so the runtime holds a reference across each call and a
/// concurrent <see cref="SafeHandle.Dispose()"/> cannot close the number (and let it be reused) mid-call.
/// </summary>
internal sealed partial class FileDescriptor : SafeHandle
{
    /// <summary>Takes ownership of <paramref name="fd"/> (which must be open and owned by nobody else).</summary>
    public FileDescriptor(int fd) : base(invalidHandleValue: -1, ownsHandle: true) => SetHandle(fd);

    /// <inheritdoc />
    public override bool IsInvalid => handle < 0;

    /// <summary>The descriptor number, for logs, <c>/proc/self/fd/N</c> and poll sets. Not to be closed by the caller.</summary>
    public int Number => (int)handle;

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    /// <inheritdoc />
    /// <remarks>On Linux close releases the number even when it fails (EINTR included), so it is never retried.</remarks>
    protected override bool ReleaseHandle() => Close((int)handle) == 0;
}
