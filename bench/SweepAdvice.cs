namespace Bench;

/// <summary>
/// One advisor line: at one offered load, the cheapest mode (lowest consumer CPU) whose measured p99 latency met
/// one target, or none.
/// </summary>
public sealed class SweepAdvice
{
    /// <summary>A point keeps up with its load when it received at least this share of it.</summary>
    public const double KeptUpShare = 0.9;

    /// <summary>The p99 target, ns.</summary>
    public double TargetNs { get; set; }
    /// <summary>The offered load, packets per second.</summary>
    public double RatePps { get; set; }
    /// <summary>The cheapest mode that met the target; null: none did.</summary>
    public string? Mode { get; set; }
    /// <summary>That mode's consumer CPU, percent of one core (0 with no mode).</summary>
    public double ConsumerCpu { get; set; }
    /// <summary>That mode's p99 at this load, ns (0 with no mode).</summary>
    public long P99Ns { get; set; }

    /// <summary>The printed line: "p99 &lt;= 20 us at 100 kpps: hybrid, 12 % of a core".</summary>
    public string Line => $"p99 <= {Figures.Latency(TargetNs)} at {Figures.Load(RatePps)}: "
        + (Mode is null ? "none" : $"{Mode}, {ConsumerCpu:0} % of a core");

    /// <summary>
    /// For each target and each offered load other than saturation, the cheapest mode that met the target there:
    /// a usable point with a p99 at or under the target that received at least <see cref="KeptUpShare"/> of the load.
    /// </summary>
    public static List<SweepAdvice> From(IReadOnlyList<SweepPoint> points, IEnumerable<double> targetsNs) =>
        targetsNs.SelectMany(target => points.Select(p => p.RatePps).Where(r => r > 0).Distinct().Order()
            .Select(rate => Best(points, target, rate))).ToList();

    /// <summary>
    /// One line for each point whose tail coincides with preemption of the consumer (<see cref="SweepPoint.TailIsPreemption"/>):
    /// "poll @ 10 kpps: p99 24 ms is 44363x p50 541 ns: p99 at this point is the box, not the transport: the consumer
    /// was preempted 12 times". Saturation points too: a preempted receiver there shows as queueing as well.
    /// </summary>
    public static List<string> PreemptionNotes(IEnumerable<SweepPoint> points) =>
        points.Where(p => p.TailIsPreemption)
            .Select(p => $"{p.Mode} @ {Figures.Load(p.RatePps)}: p99 {Figures.Latency(p.P99Ns)} is {PreemptedTail.Ratio(p.P99Ns, p.P50Ns)}x p50 "
                + $"{Figures.Latency(p.P50Ns)}: p99 at this point is the box, not the transport: "
                + PreemptedTail.Preempted("consumer", p.ConsumerInvoluntarySwitches, "producer", p.ProducerInvoluntarySwitches))
            .ToList();

    private static SweepAdvice Best(IReadOnlyList<SweepPoint> points, double target, double rate)
    {
        var best = points
            .Where(p => p.Usable && p.RatePps == rate && p.P99Ns > 0 && p.P99Ns <= target && p.Mpps * 1e6 >= KeptUpShare * rate)
            .MinBy(p => p.ConsumerCpu);
        return new SweepAdvice
        {
            TargetNs = target,
            RatePps = rate,
            Mode = best?.Mode,
            ConsumerCpu = best?.ConsumerCpu ?? 0,
            P99Ns = best?.P99Ns ?? 0,
        };
    }
}
