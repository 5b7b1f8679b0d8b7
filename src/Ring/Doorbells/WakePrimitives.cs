namespace Ring.Doorbells;

/// <summary>Picks the wake primitive for this operating system.</summary>
public static class WakePrimitives
{
    /// <summary>The futex on Linux; elsewhere a clear error naming the way out.</summary>
    public static IWakePrimitive ForThisPlatform() =>
        OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture
            is System.Runtime.InteropServices.Architecture.X64 or System.Runtime.InteropServices.Architecture.Arm64
            ? new FutexWakePrimitive()
            : throw new PlatformNotSupportedException(
                $"event-wait needs a cross-process wake primitive; only Linux futexes on x64 and arm64 are implemented, not {System.Runtime.InteropServices.RuntimeInformation.OSDescription} {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture} (use --mode poll)");
}
