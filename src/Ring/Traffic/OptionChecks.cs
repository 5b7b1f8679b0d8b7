namespace Ring.Traffic;

/// <summary>Range checks for the programs' numeric options, each failing with one line.</summary>
public static class OptionChecks
{
    /// <summary>Packet size: at least <see cref="PacketStamper.MinSize"/>, at most one buffer.</summary>
    public static void PacketSize(int size, int bufferSize)
    {
        if (size < PacketStamper.MinSize)
            throw new ArgumentException($"--size must be at least {PacketStamper.MinSize} bytes, not {size}");
        if (size > bufferSize)
            throw new ArgumentException($"--size {size} is larger than a buffer ({bufferSize} bytes)");
    }

    /// <summary>A timeout in seconds: more than 0, at most a day.</summary>
    public static TimeSpan Timeout(string option, double seconds)
    {
        if (!(seconds > 0 && seconds <= 86400))
            throw new ArgumentException($"--{option} must be more than 0 and at most 86400 seconds, not {seconds}");
        return TimeSpan.FromSeconds(seconds);
    }
}
