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
    /// <summary>Every point, mode by mode, in the order run.</summary>
    public List<SweepPoint> Points { get; set; } = [];
    /// <summary>The advisor's lines, target by target.</summary>
    public List<SweepAdvice> Advice { get; set; } = [];
    /// <summary>The reference block (<c>--refs</c>); absent otherwise.</summary>
    public RefsReport? Refs { get; set; }

    /// <summary>The advisor's lines as printed.</summary>
    [JsonIgnore]
    public IEnumerable<string> AdviceLines => Advice.Select(a => a.Line);

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
