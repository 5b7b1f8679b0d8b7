using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Ring.Harness.Traffic;

/// <summary>
/// Test traffic shaping: before a burst, with probability <c>chance</c>, the loop stalls up to <c>maxMicros</c>.
/// It makes the peer find empty rings and go to sleep thousands of times, which is what a lost wake-up needs to
/// show itself. Off (chance 0) in normal runs.
/// </summary>
public sealed class RandomPauses(double chance, int maxMicros, int seed)
{
    private readonly Random _random = new(seed);
    private readonly double _chance = chance;

    /// <summary>Pauses taken.</summary>
    public long Taken { get; private set; }

    /// <summary>Maybe stalls, as configured. Off, it costs one compare in the caller's loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MaybePause()
    {
        if (_chance != 0)
            MaybePauseSlow();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MaybePauseSlow()
    {
        if (_random.NextDouble() >= _chance)
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
