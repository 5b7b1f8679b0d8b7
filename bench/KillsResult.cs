using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bench;

/// <summary>What <c>bench kills</c> measured: per wait mode, the detection time of every kill.</summary>
public sealed class KillsResult
{
    /// <summary>The longest detection allowed, ms.</summary>
    public int LimitMs { get; set; }
    /// <summary>Packets per second each producer sent.</summary>
    public double RatePps { get; set; }
    /// <summary>One entry per wait mode.</summary>
    public List<ModeKills> Modes { get; set; } = [];

    /// <summary>Whether every kill was noticed within the limit and every consumer's run added up.</summary>
    [JsonIgnore]
    public bool Clean => Modes.All(m => m.Clean(LimitMs));

    /// <summary>One line of JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, KillsResultJson.Default.KillsResult);

    /// <summary>Parses a line written by <see cref="ToJson"/>.</summary>
    public static KillsResult? FromJson(string line) => JsonSerializer.Deserialize(line, KillsResultJson.Default.KillsResult);
}

/// <summary>The kills in one wait mode.</summary>
public sealed class ModeKills
{
    /// <summary>How both programs waited.</summary>
    public string Mode { get; set; } = "";
    /// <summary>Producers killed.</summary>
    public int Kills { get; set; }
    /// <summary>Milliseconds from each kill to the consumer's line saying its producer died, in kill order.</summary>
    public List<double> DetectionMs { get; set; } = [];
    /// <summary>Kills the consumer did not report within the deadline.</summary>
    public int Missed { get; set; }
    /// <summary>Kills reported as something other than a death (the line is kept).</summary>
    public List<string> NotDeaths { get; set; } = [];
    /// <summary>Fastest detection, ms.</summary>
    public double MinMs { get; set; }
    /// <summary>Median detection, ms.</summary>
    public double MedianMs { get; set; }
    /// <summary>Slowest detection, ms: the worst case.</summary>
    public double MaxMs { get; set; }
    /// <summary>The consumer's sessions (kills + 1).</summary>
    public int Sessions { get; set; }
    /// <summary>Packets the consumer received over all sessions.</summary>
    public long Packets { get; set; }
    /// <summary>Packets the killed producers had published that the consumer never read, all kills together.</summary>
    public long LeftInFlight { get; set; }
    /// <summary>What did not add up in the consumer's summary, one line each; empty when it all did.</summary>
    public List<string> Unexplained { get; set; } = [];

    /// <summary>Whether every kill was seen, as a death, within <paramref name="limitMs"/>, and the run added up.</summary>
    public bool Clean(int limitMs) => Missed == 0 && NotDeaths.Count == 0 && Unexplained.Count == 0 && DetectionMs.All(d => d <= limitMs);

    /// <summary>Fills the figures from <see cref="DetectionMs"/>.</summary>
    public void Summarize()
    {
        if (DetectionMs.Count == 0)
            return;
        var sorted = DetectionMs.Order().ToList();
        (MinMs, MaxMs) = (sorted[0], sorted[^1]);
        MedianMs = Math.Round(sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2, 3);
    }
}

/// <summary>Source-generated JSON for <see cref="KillsResult"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(KillsResult))]
internal sealed partial class KillsResultJson : JsonSerializerContext;
