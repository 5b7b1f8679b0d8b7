using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bench;

/// <summary>Everything one sweep measured and advised, as written to sweep.json.</summary>
public sealed class SweepReport
{
    /// <summary>The folder the files were written to.</summary>
    public string Directory { get; set; } = "";
    /// <summary>Packet size.</summary>
    public int Size { get; set; }
    /// <summary>Seconds per point.</summary>
    public double Seconds { get; set; }
    /// <summary>Cores used ("0,1"), or empty for unpinned.</summary>
    public string Cpus { get; set; } = "";
    /// <summary>How <see cref="Cpus"/> placed the programs: process or poll (<see cref="PinModes"/>).</summary>
    public string Pin { get; set; } = PinModes.Process;
    /// <summary>
    /// The speed state most points ran in (fast or slow; unknown without probes): off-state points were re-run,
    /// and the advice uses only points in this state.
    /// </summary>
    public string MajorityState { get; set; } = SpeedState.Unknown;
    /// <summary>Why there were no speed-state probes; null when there were.</summary>
    public string? ProbeNote { get; set; }
    /// <summary>Every point, mode by mode, in the order of the first pass (a re-run replaces its point in place).</summary>
    public List<SweepPoint> Points { get; set; } = [];
    /// <summary>The advisor's lines, target by target.</summary>
    public List<SweepAdvice> Advice { get; set; } = [];
    /// <summary>The advisor's notes on points whose p99 coincides with preemption of the consumer
    /// (<see cref="SweepAdvice.PreemptionNotes"/>).</summary>
    public List<string> PreemptionNotes { get; set; } = [];
    /// <summary>The reference block (<c>--refs</c>); absent otherwise.</summary>
    public RefsReport? Refs { get; set; }

    /// <summary>The line printed above the advice: which points it was computed from.</summary>
    [JsonIgnore]
    public string AdvisorHeader
    {
        get
        {
            int used = Points.Count(p => p.Usable && !p.OffState);
            return MajorityState == SpeedState.Unknown
                ? $"advisor (speed state unknown: from all {used} usable points; cheapest mode by consumer CPU whose p99 met the target):"
                : $"advisor ({MajorityState} state: from the {used} usable {MajorityState}-state points only; cheapest mode by consumer CPU whose p99 met the target):";
        }
    }

    /// <summary>The advisor's lines as printed.</summary>
    [JsonIgnore]
    public IEnumerable<string> AdviceLines => Advice.Select(a => a.Line).Concat(PreemptionNotes);

    /// <summary>One line of JSON, snake_case keys.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SweepReportJson.Default.SweepReport);

    /// <summary>Parses <see cref="ToJson"/>'s output.</summary>
    public static SweepReport? FromJson(string json) => JsonSerializer.Deserialize(json, SweepReportJson.Default.SweepReport);
}

/// <summary>Source-generated JSON for <see cref="SweepReport"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SweepReport))]
internal sealed partial class SweepReportJson : JsonSerializerContext;
