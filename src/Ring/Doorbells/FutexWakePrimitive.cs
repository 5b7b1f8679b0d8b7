using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ring.Doorbells;

/// <summary>
/// Linux futexes, the shared (not PRIVATE) variant, since sleeper and waker are different processes mapping the
/// same file: the kernel keys the wait queue on the page and offset, not on the address.
/// </summary>
internal sealed unsafe partial class FutexWakePrimitive : IWakePrimitive
{
    private const int FUTEX_WAIT = 0;
    private const int FUTEX_WAKE = 1;
    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const int ETIMEDOUT = 110;

    private static readonly long SysFutex = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        var other => throw new PlatformNotSupportedException($"futex syscall number unknown for {other}"),
    };

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, uint* address, int operation, uint value, Timespec* timeout, uint* address2, uint value3);

    /// <summary>The futex on Linux x64 and arm64; elsewhere a clear error naming the way out.</summary>
    public static IWakePrimitive ForThisPlatform() =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64
            ? new FutexWakePrimitive()
            : throw new PlatformNotSupportedException(
                $"event-wait needs a cross-process wake primitive; only Linux futexes on x64 and arm64 are implemented, not {RuntimeInformation.OSDescription} {RuntimeInformation.ProcessArchitecture} (use WaitMode.Poll)");

    /// <inheritdoc />
    public WaitOutcome Wait(ref uint word, uint expected, TimeSpan timeout)
    {
        long ticks = Math.Max(0, timeout.Ticks);
        var relative = new Timespec { Seconds = ticks / TimeSpan.TicksPerSecond, Nanoseconds = ticks % TimeSpan.TicksPerSecond * 100 };
        long result = Syscall(SysFutex, (uint*)Unsafe.AsPointer(ref word), FUTEX_WAIT, expected, &relative, null, 0);
        if (result == 0)
            return WaitOutcome.Woken;
        return Marshal.GetLastPInvokeError() switch
        {
            EAGAIN => WaitOutcome.AlreadyRung,
            ETIMEDOUT => WaitOutcome.TimedOut,
            EINTR => WaitOutcome.Interrupted,
            var errno => throw new RingException(RingErrorReason.Io, $"futex wait failed: errno {errno}"),
        };
    }

    /// <inheritdoc />
    public void Wake(ref uint word)
    {
        if (Syscall(SysFutex, (uint*)Unsafe.AsPointer(ref word), FUTEX_WAKE, 1, null, null, 0) < 0)
            throw new RingException(RingErrorReason.Io, $"futex wake failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
