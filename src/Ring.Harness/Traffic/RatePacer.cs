using System.Diagnostics;

namespace Ring.Harness.Traffic;

/// <summary>
/// Paces a sender to an offered load: after <c>t</c> seconds it may have sent <c>t x rate</c> packets. A rate of
/// 0 means as fast as possible and never reads the clock.
/// </summary>
public sealed class RatePacer
{
    private readonly double _packetsPerTick;
    private long _start;

    /// <summary>A pacer for <paramref name="packetsPerSecond"/> (0: unpaced).</summary>
    public RatePacer(double packetsPerSecond)
    {
        if (!(packetsPerSecond >= 0 && packetsPerSecond <= 1e10))
            throw new ArgumentException($"--rate must be 0..1e10 packets per second, not {packetsPerSecond}");
        _packetsPerTick = packetsPerSecond / Stopwatch.Frequency;
    }

    /// <summary>Whether the sender is paced at all.</summary>
    public bool Paced => _packetsPerTick != 0;

    /// <summary>Starts the clock (Stopwatch ticks).</summary>
    public void Start(long startTicks) => _start = startTicks;

    /// <summary>How many of <paramref name="burst"/> packets may go now, having sent <paramref name="sent"/>.</summary>
    public int Allowance(long now, ulong sent, int burst)
    {
        if (!Paced)
            return burst;
        double due = (now - _start) * _packetsPerTick - sent;
        return due <= 0 ? 0 : (int)Math.Min(burst, Math.Ceiling(due));
    }

    /// <summary>How long until the next packet is due, having sent <paramref name="sent"/>.</summary>
    public TimeSpan UntilNext(long now, ulong sent)
    {
        if (!Paced)
            return TimeSpan.Zero;
        double dueAt = _start + (sent + 1) / _packetsPerTick;
        return dueAt <= now ? TimeSpan.Zero : Stopwatch.GetElapsedTime(now, (long)dueAt);
    }
}
