using Ring;

namespace Bench;

/// <summary>One side's sleeps on its doorbell, for one queue pair, as <c>bench stats</c> shows them.</summary>
public sealed class StatsSleeps
{
    /// <summary>Sleeps entered.</summary>
    public long Sleeps { get; set; }
    /// <summary>Sleeps the peer's doorbell ended.</summary>
    public long Wakeups { get; set; }
    /// <summary>Sleeps the timeout ended.</summary>
    public long Timeouts { get; set; }
    /// <summary>Wake-ups after which the next poll found nothing.</summary>
    public long SpuriousWakeups { get; set; }
    /// <summary>Packets this side received per wake-up, since the start; null before its first wake-up.</summary>
    public double? PacketsPerWakeup { get; set; }

    /// <summary>The side's <paramref name="sleeps"/>, with the <paramref name="received"/> packets it received.</summary>
    public static StatsSleeps Of(SleepCounters sleeps, long received) => new()
    {
        Sleeps = sleeps.Sleeps,
        Wakeups = sleeps.Wakeups,
        Timeouts = sleeps.Timeouts,
        SpuriousWakeups = sleeps.SpuriousWakeups,
        PacketsPerWakeup = sleeps.Wakeups == 0 ? null : (double)received / sleeps.Wakeups,
    };
}
