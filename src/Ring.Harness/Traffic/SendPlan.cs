using System.Diagnostics;

namespace Ring.Harness.Traffic;

/// <summary>
/// How much a sender sends: a packet count split over the queues, or a duration. When neither is given it runs
/// for <see cref="DefaultSeconds"/>.
/// </summary>
public sealed class SendPlan
{
    /// <summary>Seconds a sender runs when given neither a count nor a duration.</summary>
    public const double DefaultSeconds = 3;

    private readonly ulong? _packets;
    private readonly long _durationTicks;
    private readonly int _queues;

    /// <summary>A plan from the command line's <c>--packets</c> and <c>--seconds</c>; throws ArgumentException for bad values.</summary>
    public SendPlan(long? packets, double? seconds, int queues)
    {
        if (packets is not null && seconds is not null)
            throw new ArgumentException("give --packets or --seconds, not both");
        if (packets is < 1)
            throw new ArgumentException($"--packets must be at least 1, not {packets}");
        if (seconds is not null && !(seconds > 0 && seconds <= 86400))
            throw new ArgumentException($"--seconds must be more than 0 and at most 86400, not {seconds}");
        _packets = (ulong?)packets;
        _durationTicks = packets is null ? (long)((seconds ?? DefaultSeconds) * Stopwatch.Frequency) : long.MaxValue;
        _queues = queues;
    }

    /// <summary>Packets queue <paramref name="queue"/> sends, or ulong.MaxValue when the plan is a duration.</summary>
    public ulong PacketsFor(int queue)
    {
        if (_packets is not { } total)
            return ulong.MaxValue;
        ulong share = total / (ulong)_queues;
        return share + ((ulong)queue < total % (ulong)_queues ? 1UL : 0UL);
    }

    /// <summary>Bursts between two clock reads of a duration plan: reading the clock on every burst of a
    /// busy-poll loop would cost more than the slack of stopping a few hundred packets late.</summary>
    public const int BurstsPerClockRead = 16;

    /// <summary>Whether a duration plan that started at <paramref name="startTicks"/> (Stopwatch ticks) is over.
    /// Reads the clock only every <see cref="BurstsPerClockRead"/>-th call that passes a new
    /// <paramref name="burst"/> number, and never for a count plan.</summary>
    public bool TimeIsUp(long startTicks, ulong burst) =>
        _packets is null && burst % BurstsPerClockRead == 0 && Stopwatch.GetTimestamp() - startTicks >= _durationTicks;
}
