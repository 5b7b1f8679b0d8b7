namespace Bench;

/// <summary>
/// One <c>refs</c> round: every program once, between two <c>floors spin</c> probes. A round whose probes fall in
/// different speed states ("mixed") is kept in the report but left out of the ranges.
/// </summary>
public sealed class RefsRound
{
    /// <summary>1, 2, ...</summary>
    public int Number { get; set; }
    /// <summary>fast or slow when both probes agree, mixed when they do not.</summary>
    public string State { get; set; } = SpeedState.Unknown;
    /// <summary>Whether the round counts in the ranges: it ran in one speed state.</summary>
    public bool Kept => State is SpeedState.Fast or SpeedState.Slow;
    /// <summary>What the round measured, by the names of <see cref="RefsFigures"/>, in the order they were measured.</summary>
    public Dictionary<string, double> Figures { get; set; } = [];
    /// <summary>Ring's figures over the references', by the names of <see cref="RefsFigures.Ratios"/>.</summary>
    public Dictionary<string, double> Ratios { get; set; } = [];
    /// <summary>Whether an rtt run finished too fast for one ping in flight (see <see cref="RttResult.Overlapped"/>).</summary>
    public bool RttOverlapped { get; set; }
    /// <summary>Pings in the paced event-mode rtt.</summary>
    public long RttEventIdleCount { get; set; }
    /// <summary>Times its echoing consumer woke from sleep: about one per ping when it really sleeps.</summary>
    public long RttEventIdleWakeups { get; set; }
    /// <summary>Its echoing consumer's CPU, percent of one core: near 0 when it really sleeps.</summary>
    public double RttEventIdleConsumerCpu { get; set; }
    /// <summary>Why memif did not give a figure in this round; null when it did or was not run.</summary>
    public string? MemifNote { get; set; }

    /// <summary>
    /// Whether the paced event run's consumer woke for fewer than half the pings: it did not sleep between them, so
    /// that p50 holds no wake-up and its ratio to the futex floor means nothing.
    /// </summary>
    public bool RttEventIdleDidNotSleep => RttEventIdleCount > 0 && RttEventIdleWakeups * 2 < RttEventIdleCount;

    /// <summary>Sets the round's spin floor and state from its two probes, and every ratio it has both figures for.</summary>
    public void Complete()
    {
        double before = Figures[RefsFigures.FloorsSpinBefore], after = Figures[RefsFigures.FloorsSpinAfter];
        Figures[RefsFigures.FloorsSpin] = (before + after) / 2;
        State = SpeedState.Of(before, after);
        Ratios.Clear();
        foreach (var (name, numerator, denominator) in RefsFigures.Ratios)
        {
            if (Figures.TryGetValue(numerator, out double n) && Figures.TryGetValue(denominator, out double d) && d > 0)
                Ratios[name] = n / d;
        }
    }
}
