using System.Diagnostics;

namespace Ring.Traffic;

/// <summary>
/// Test traffic shaping: before a burst, with probability <c>chance</c>, the loop stalls up to <c>maxMicros</c>.
/// It makes the peer find empty rings and go to sleep thousands of times, which is what a lost wake-up needs to
/// show itself. Off (chance 0) in normal runs.
/// </summary>
public sealed class RandomPauses(double chance, int maxMicros, int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>Pauses taken.</summary>
    public long Taken { get; private set; }

    /// <summary>Maybe sleeps, as configured.</summary>
    public void MaybePause()
    {
        if (chance == 0 || _random.NextDouble() >= chance)
            return;
        Taken++;
        // Spin to a deadline: Thread.Sleep rounds a TimeSpan down to whole milliseconds, so it cannot pause 300 µs.
        long until = Stopwatch.GetTimestamp() + (long)(_random.Next(maxMicros + 1) * (Stopwatch.Frequency / 1e6));
        while (Stopwatch.GetTimestamp() < until)
            Thread.SpinWait(20);
    }

    /// <summary>Checks the options that configure pauses.</summary>
    public static void Validate(double chance, int maxMicros)
    {
        if (!(chance >= 0 && chance <= 1))
            throw new ArgumentException($"--pause-chance must be 0..1, not {chance}");
        if (maxMicros < 0 || maxMicros > 1_000_000)
            throw new ArgumentException($"--pause-us must be 0..1000000, not {maxMicros}");
    }
}
