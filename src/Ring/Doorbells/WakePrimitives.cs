namespace Ring.Doorbells;

/// <summary>Picks the wake primitive for this operating system.</summary>
public static class WakePrimitives
{
    /// <summary>The futex on Linux; elsewhere a clear error naming the way out.</summary>
    public static IWakePrimitive ForThisPlatform() =>
        OperatingSystem.IsLinux()
            ? new FutexWakePrimitive()
            : throw new PlatformNotSupportedException(
                $"event-wait needs a cross-process wake primitive; only Linux futexes are implemented, not {Environment.OSVersion.Platform} (use --mode poll)");
}
