using System.Runtime.InteropServices;

namespace Ring.Native;

/// <summary>The errno values the control channel tells apart (asm-generic numbering, the same on x64 and arm64).</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EINVAL = 22;
    public const int ENAMETOOLONG = 36;
    public const int ELOOP = 40;
    public const int EADDRINUSE = 98;
    public const int ECONNRESET = 104;
    public const int ECONNREFUSED = 111;

    /// <summary>errno of the last P/Invoke on this thread.</summary>
    public static int Last => Marshal.GetLastPInvokeError();

    /// <summary>"name (errno N)" for a one-line message, e.g. "Permission denied (errno 13)".</summary>
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
