using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bench;

/// <summary>
/// What <c>bench refs</c> measured: every round (its figures, its ratios, its speed state), and for each speed state
/// the kept rounds ran in, each figure's and each ratio's min-median-max and each program's own spread.
/// </summary>
public sealed class RefsReport
{
    /// <summary>Why nothing ran or the run did not finish (no gcc, a failed program); null when it ran.</summary>
    public string? Skipped { get; set; }
    /// <summary>Packet size of the throughput runs.</summary>
    public int Size { get; set; }
    /// <summary>Seconds of each throughput run.</summary>
    public double Seconds { get; set; }
    /// <summary>rx, tx or both-separately.</summary>
    public string Direction { get; set; } = "";
    /// <summary>Bytes between cring's buffers.</summary>
    public int Stride { get; set; }
    /// <summary>The cores given.</summary>
    public string Cpus { get; set; } = "";
    /// <summary>Where the reference programs came from; null when they were not there.</summary>
    public string? ReferenceFolder { get; set; }
    /// <summary>Why the reference programs did not run; null when they did.</summary>
    public string? ReferenceNote { get; set; }
    /// <summary>Why memif did not run; null when it did.</summary>
    public string? MemifNote { get; set; }
    /// <summary>Every round, in order, the mixed ones too.</summary>
    public List<RefsRound> Rounds { get; set; } = [];
    /// <summary>One summary per speed state of the kept rounds, the state with more rounds first.</summary>
    public List<RefsSummary> Summaries { get; set; } = [];
    /// <summary>What a reader must know before quoting a figure.</summary>
    public List<string> Warnings { get; set; } = [];

    /// <summary>The printed block.</summary>
    [JsonIgnore]
    public string Text => Skipped ?? Format();

    /// <summary>A report that says, in one line, why nothing ran.</summary>
    public static RefsReport Skip(string why) => new() { Skipped = why };

    /// <summary>Sums the rounds up per speed state and collects the warnings.</summary>
    public void Summarize()
    {
        Summaries = RefsSummary.Of(Rounds);
        Warnings.Clear();
        var mixed = Rounds.Where(r => !r.Kept).Select(r => r.Number).ToList();
        if (mixed.Count > 0)
            Warnings.Add($"round(s) {string.Join(", ", mixed)} changed speed state (floors spin before and after disagree): left out of the ranges");
        if (Summaries.Count == 0)
            Warnings.Add("no round ran in one speed state: there are no ranges to quote; run again on a quieter machine");
        if (Summaries.Count > 1)
            Warnings.Add("the kept rounds ran in two speed states: quote each state's ranges on their own, never across them");
        if (Rounds.Any(r => r.RttOverlapped))
            Warnings.Add("an rtt run had more than one ping in flight: its p50 is not a round trip, nor its ratio");
        foreach (var r in Rounds.Where(r => r.RttEventIdleDidNotSleep))
            Warnings.Add($"round {r.Number}: at {Figures.Load(RefsCommand.IdlePingRate)} the echoing consumer woke {r.RttEventIdleWakeups} times for "
                + $"{r.RttEventIdleCount} pings ({r.RttEventIdleConsumerCpu:0} % cpu): it did not sleep between pings, so rtt_event_idle holds no wake-up");
    }

    /// <summary>One line of JSON, snake_case keys.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RefsReportJson.Default.RefsReport);

    /// <summary>Parses a line written by <see cref="ToJson"/>.</summary>
    public static RefsReport? FromJson(string line) => JsonSerializer.Deserialize(line, RefsReportJson.Default.RefsReport);

    private string Format()
    {
        var text = new StringBuilder()
            .AppendLine($"refs: {Size} B, {Rounds.Count} round(s) of {Seconds:0.###} s per throughput run, direction {Direction}, "
                + $"cpus {(Cpus.Length == 0 ? "C programs 0,1, Ring unpinned" : Cpus)}, busy-poll; the order of the programs alternates between rounds")
            .AppendLine($"  C baselines: bench/c/cring.c ({RefsOptions.CringPool}, {Stride} B apart), bench/c/floors.c (gcc -O2)")
            .AppendLine(ReferenceNote is null
                ? $"  references: {ReferenceFolder}: lean.c ({string.Join("; ", LeanGeometry.All.Select(g => $"{g.Name}: {g.Meaning}"))}), floor.c"
                : $"  references: {ReferenceNote}");
        if (MemifNote is not null)
            text.AppendLine($"  {MemifNote}");
        AppendRounds(text);
        foreach (var summary in Summaries)
            AppendSummary(text, summary);
        foreach (string warning in Warnings)
            text.AppendLine($"WARNING: {warning}");
        return text.ToString().TrimEnd();
    }

    private void AppendRounds(StringBuilder text)
    {
        var names = Rounds.SelectMany(r => r.Figures.Keys).Distinct().ToList();
        var ratios = Rounds.SelectMany(r => r.Ratios.Keys).Distinct().ToList();
        text.Append($"{"round",-34}");
        foreach (var r in Rounds)
            text.Append($" {r.Number,10}");
        text.AppendLine().Append($"{"state",-34}");
        foreach (var r in Rounds)
            text.Append($" {(r.Kept ? r.State : r.State + "*"),10}");
        text.AppendLine();
        foreach (string name in names.Concat(ratios))
        {
            text.Append($"  {name,-32}");
            foreach (var r in Rounds)
                text.Append(r.Figures.TryGetValue(name, out double v) || r.Ratios.TryGetValue(name, out v) ? $" {Number(name, v),10}" : $" {"-",10}");
            text.AppendLine();
        }
        foreach (var r in Rounds.Where(r => r.MemifNote is not null))
            text.AppendLine($"  round {r.Number}: {r.MemifNote}");
        if (Rounds.Any(r => !r.Kept))
            text.AppendLine("  * the speed state changed during the round: left out of the ranges below");
    }

    private static void AppendSummary(StringBuilder text, RefsSummary summary)
    {
        text.AppendLine($"{summary.State} state, {summary.Rounds.Count} round(s) kept ({string.Join(", ", summary.Rounds)}):")
            .AppendLine($"  {"figure",-32} {"min",10} {"median",10} {"max",10} {"spread",8}  (spread: max/min, run to run)");
        foreach (var f in summary.Figures)
            text.AppendLine($"  {f.Name,-32} {Number(f.Name, f.Min),10} {Number(f.Name, f.Median),10} {Number(f.Name, f.Max),10} {f.Spread,8:0.00}");
        text.AppendLine($"  {"ratio",-32} min-median-max");
        foreach (var r in summary.Ratios)
            text.AppendLine($"  {r.Name,-32} {r.Min:0.00}-{r.Median:0.00}-{r.Max:0.00}");
    }

    /// <summary>A figure as printed: ns whole, Mpps and ratios with two decimals.</summary>
    private static string Number(string name, double value) => name.EndsWith("_ns", StringComparison.Ordinal) ? $"{value:0}" : $"{value:0.00}";
}

/// <summary>Source-generated JSON for <see cref="RefsReport"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RefsReport))]
internal sealed partial class RefsReportJson : JsonSerializerContext;
