using System.Runtime.InteropServices;

namespace Ring.Tests.Support;

/// <summary>The calling thread's CPU time (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>): what one poll loop
/// costs, whatever the other tests running beside it do.</summary>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clock, out Timespec time);

    /// <summary>CPU time this thread has used so far.</summary>
    public static TimeSpan Now()
    {
        Assert.True(ClockGetTime(ClockThreadCpuTimeId, out var t) == 0, $"clock_gettime failed: errno {Marshal.GetLastPInvokeError()}");
        return TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100);
    }
}
