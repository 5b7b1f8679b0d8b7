namespace Ring;

/// <summary>The checks and defaults the options types share.</summary>
internal static class WaitOptions
{
    /// <summary>Hybrid's poll budget unless told otherwise. Measured: see docs/DOORBELL.md.</summary>
    public static readonly TimeSpan DefaultHybridPollBudget = TimeSpan.FromMicroseconds(50);

    public static int InRange(int value, int min, int max, string name) =>
        value >= min && value <= max ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be {min}..{max}");

    public static TimeSpan InRange(TimeSpan value, TimeSpan min, TimeSpan max, string name) =>
        value >= min && value <= max ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be {min}..{max}");

    public static WaitMode Defined(WaitMode value, string name) =>
        Enum.IsDefined(value) ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be Poll, Event or Hybrid");
}
