using System.Runtime.InteropServices;

namespace Ring.Native;

/// <summary>The few libc calls Ring needs beyond what .NET exposes.</summary>
internal static partial class Posix
{
    private const int ESRCH = 3;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Whether process <paramref name="pid"/> exists (signal 0 probes without sending anything).</summary>
    public static bool ProcessExists(int pid) =>
        pid > 0 && (Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != ESRCH);
}
