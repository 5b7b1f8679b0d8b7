using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bench;

/// <summary>What <c>bench soak</c> found.</summary>
public sealed class SoakResult
{
    /// <summary>How long it ran, seconds.</summary>
    public double Seconds { get; set; }
    /// <summary>How the consumer waited.</summary>
    public string ConsumerMode { get; set; } = "";
    /// <summary>Sessions (producers), the last included.</summary>
    public int Sessions { get; set; }
    /// <summary>Producers killed (SIGKILL) mid-stream.</summary>
    public int Killed { get; set; }
    /// <summary>Producers stopped (SIGTERM) mid-stream.</summary>
    public int Stopped { get; set; }
    /// <summary>Producers per wait mode.</summary>
    public Dictionary<string, int> ProducerModes { get; set; } = [];
    /// <summary>Packets the consumer received.</summary>
    public long Packets { get; set; }
    /// <summary>Packets lost producers had published that the consumer never read: the explained gaps.</summary>
    public long LeftInFlight { get; set; }
    /// <summary>What did not add up, one line each: the unexplained gaps.</summary>
    public List<string> Unexplained { get; set; } = [];
    /// <summary>The consumer's RSS once its first session was up, KiB.</summary>
    public long RssStartKib { get; set; }
    /// <summary>Its RSS once the last producer ended its stream, KiB.</summary>
    public long RssEndKib { get; set; }
    /// <summary>Its RSS every <see cref="SoakCommand.SessionsPerSample"/> sessions, KiB: how it got from start to end.</summary>
    public List<long> RssSamplesKib { get; set; } = [];
    /// <summary>The RSS growth allowed, KiB.</summary>
    public long RssBoundKib { get; set; }
    /// <summary>The slowest the consumer was to report a lost producer, ms.</summary>
    public double WorstDetectionMs { get; set; }

    /// <summary>Whether nothing was unexplained and the RSS stayed within its bound.</summary>
    [JsonIgnore]
    public bool Clean => Unexplained.Count == 0 && RssEndKib - RssStartKib <= RssBoundKib;

    /// <summary>One line of JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SoakResultJson.Default.SoakResult);

    /// <summary>Parses a line written by <see cref="ToJson"/>.</summary>
    public static SoakResult? FromJson(string line) => JsonSerializer.Deserialize(line, SoakResultJson.Default.SoakResult);
}

/// <summary>Source-generated JSON for <see cref="SoakResult"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SoakResult))]
internal sealed partial class SoakResultJson : JsonSerializerContext;
