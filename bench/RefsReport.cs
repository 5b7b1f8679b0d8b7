using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bench;

/// <summary>
/// What <c>bench refs</c> measured: the reference programs' figures, Ring's figures from the same run, the machine's
/// speed state before and after, and Ring's figures as ratios of the references'.
/// </summary>
public sealed class RefsReport
{
    /// <summary>Why the reference block did not run or did not finish (no gcc, no reference folder, a failed run); null when it ran.</summary>
    public string? Skipped { get; set; }
    /// <summary>Packet size for lean.c, memif and Ring's pair.</summary>
    public int Size { get; set; }
    /// <summary><c>floor spin</c> round trip before the run, ns.</summary>
    public double SpinBeforeNs { get; set; }
    /// <summary><c>floor spin</c> round trip after the run, ns.</summary>
    public double SpinAfterNs { get; set; }
    /// <summary>"fast" or "slow" before the run.</summary>
    public string StateBefore { get; set; } = "";
    /// <summary>"fast" or "slow" after the run.</summary>
    public string StateAfter { get; set; } = "";
    /// <summary>lean.c at <see cref="Size"/>, Mpps.</summary>
    public double LeanMpps { get; set; }
    /// <summary><c>floor futex</c> round trip, ns.</summary>
    public double FutexNs { get; set; }
    /// <summary>DPDK memif at <see cref="Size"/>, Mpps; null when it did not run.</summary>
    public double? MemifMpps { get; set; }
    /// <summary>Why memif did not run; null when it did.</summary>
    public string? MemifNote { get; set; }
    /// <summary>Ring's pair, poll mode, at <see cref="Size"/>, Mpps.</summary>
    public double RingMpps { get; set; }
    /// <summary>Ring's rtt, poll mode, median round trip, ns.</summary>
    public long RttPollP50Ns { get; set; }
    /// <summary>Ring's rtt, event mode, median round trip, ns.</summary>
    public long RttEventP50Ns { get; set; }
    /// <summary>Ring's rtt, event mode, paced at <see cref="RttEventIdleRatePps"/> (both sides sleep between pings), median round trip, ns.</summary>
    public long RttEventIdleP50Ns { get; set; }
    /// <summary>The pace of that run, pings per second.</summary>
    public double RttEventIdleRatePps { get; set; }
    /// <summary>Pings in that run.</summary>
    public long RttEventIdleCount { get; set; }
    /// <summary>Times the echoing consumer woke from sleep in that run: about one per ping when it really sleeps.</summary>
    public long RttEventIdleWakeups { get; set; }
    /// <summary>The echoing consumer's CPU in that run, percent of one core: near 0 when it really sleeps.</summary>
    public double RttEventIdleConsumerCpu { get; set; }

    /// <summary>
    /// Whether the paced event run's consumer woke for fewer than half the pings: it did not sleep between them
    /// (it spun), so that p50 holds no wake-up and its ratio to the futex floor means nothing.
    /// </summary>
    public bool RttEventIdleDidNotSleep => Skipped is null && RttEventIdleCount > 0 && RttEventIdleWakeups * 2 < RttEventIdleCount;
    /// <summary>Whether an rtt run finished too fast for one ping in flight (see <see cref="RttResult.Overlapped"/>).</summary>
    public bool RttOverlapped { get; set; }
    /// <summary>Ring's pair over lean.c.</summary>
    public double RingOverLean { get; set; }
    /// <summary>Ring's pair over memif; null without memif.</summary>
    public double? RingOverMemif { get; set; }
    /// <summary>Ring's poll-mode median round trip over the spin floor (the mean of before and after).</summary>
    public double RttPollOverSpinFloor { get; set; }
    /// <summary>Ring's event-mode median round trip (back-to-back) over the futex floor.</summary>
    public double RttEventOverFutexFloor { get; set; }
    /// <summary>Ring's paced event-mode median round trip (every ping pays a wake-up on each side) over the futex floor.</summary>
    public double RttEventIdleOverFutexFloor { get; set; }

    /// <summary>Whether the speed state changed during the run (the ratios then mix states).</summary>
    public bool StateChanged => Skipped is null && StateBefore != StateAfter;

    /// <summary>The printed block.</summary>
    [JsonIgnore]
    public string Text => Skipped ?? Format();

    /// <summary>A report that says, in one line, why nothing ran.</summary>
    public static RefsReport Skip(string why) => new() { Skipped = why };

    /// <summary>Fills the ratios from the figures.</summary>
    public void ComputeRatios()
    {
        RingOverLean = LeanMpps > 0 ? RingMpps / LeanMpps : 0;
        RingOverMemif = MemifMpps is > 0 ? RingMpps / MemifMpps : null;
        double spin = (SpinBeforeNs + SpinAfterNs) / 2;
        RttPollOverSpinFloor = spin > 0 ? RttPollP50Ns / spin : 0;
        RttEventOverFutexFloor = FutexNs > 0 ? RttEventP50Ns / FutexNs : 0;
        RttEventIdleOverFutexFloor = FutexNs > 0 ? RttEventIdleP50Ns / FutexNs : 0;
    }

    /// <summary>One line of JSON, snake_case keys.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RefsReportJson.Default.RefsReport);

    private string Format()
    {
        var text = new StringBuilder()
            .AppendLine($"refs: reference programs (gcc -O2) beside Ring, {Size} B; machine state before: {StateBefore} (spin {SpinBeforeNs:0} ns), after: {StateAfter} (spin {SpinAfterNs:0} ns)")
            .AppendLine($"  {"lean.c",-28} {LeanMpps,10:0.00} Mpps")
            .AppendLine($"  {"floor spin (mean)",-28} {(SpinBeforeNs + SpinAfterNs) / 2,10:0} ns round trip")
            .AppendLine($"  {"floor futex",-28} {FutexNs,10:0} ns round trip")
            .AppendLine(MemifMpps is { } memif ? $"  {"memif (DPDK)",-28} {memif,10:0.00} Mpps" : $"  {MemifNote}")
            .AppendLine($"  {"ring pair poll",-28} {RingMpps,10:0.00} Mpps")
            .AppendLine($"  {"ring rtt poll p50",-28} {RttPollP50Ns,10} ns")
            .AppendLine($"  {"ring rtt event p50",-28} {RttEventP50Ns,10} ns (back-to-back)")
            .AppendLine($"  {$"ring rtt event @ {Figures.Load(RttEventIdleRatePps)} p50",-28} {RttEventIdleP50Ns,10} ns "
                + $"(echoing consumer: {RttEventIdleWakeups} wake-ups in {RttEventIdleCount} pings, {RttEventIdleConsumerCpu:0.0} % cpu)")
            .AppendLine($"  note: back-to-back, each side sleeps while the other works, as in floor futex; at {Figures.Load(RttEventIdleRatePps)} "
                + "both sides are idle between pings as well, so each wake-up also pays for an idle vCPU")
            .Append($"ratios ({StateBefore} state): ring/lean {RingOverLean:0.00}");
        if (RingOverMemif is { } overMemif)
            text.Append($", ring/memif {overMemif:0.00}");
        text.Append($", rtt_poll/spin_floor {RttPollOverSpinFloor:0.0}, rtt_event/futex_floor {RttEventOverFutexFloor:0.00}, "
            + $"rtt_event_idle/futex_floor {RttEventIdleOverFutexFloor:0.00}");
        if (RttOverlapped)
            text.AppendLine().Append("WARNING: an rtt run had more than one ping in flight: its p50 is not a round trip, nor its ratio");
        if (RttEventIdleDidNotSleep)
            text.AppendLine().Append($"WARNING: at {Figures.Load(RttEventIdleRatePps)} the echoing consumer woke {RttEventIdleWakeups} times for "
                + $"{RttEventIdleCount} pings ({RttEventIdleConsumerCpu:0} % cpu): it did not sleep between pings, so rtt_event_idle holds no wake-up");
        if (StateChanged)
            text.AppendLine().Append($"WARNING: the machine changed speed state during the run ({StateBefore} -> {StateAfter}): the ratios mix states; run again");
        return text.ToString();
    }
}

/// <summary>Source-generated JSON for <see cref="RefsReport"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RefsReport))]
internal sealed partial class RefsReportJson : JsonSerializerContext;
