using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bench;

/// <summary>The result of one <c>bench rtt</c> run: round-trip percentiles as the producer measured them.</summary>
public sealed class RttResult
{
    /// <summary>How the consumer (the echoing side) waited.</summary>
    public string Mode { get; set; } = "";
    /// <summary>How the producer (the pinging side) waited.</summary>
    public string DeviceMode { get; set; } = "";
    /// <summary>Round trips completed.</summary>
    public long Count { get; set; }
    /// <summary>Packet size.</summary>
    public int Size { get; set; }
    /// <summary>Pings per second the producer was paced to; 0: back-to-back.</summary>
    public double RatePps { get; set; }
    /// <summary>Median round trip, send to echo received, ns.</summary>
    public long P50Ns { get; set; }
    /// <summary>90th percentile round trip, ns.</summary>
    public long P90Ns { get; set; }
    /// <summary>99th percentile round trip, ns.</summary>
    public long P99Ns { get; set; }
    /// <summary>99.9th percentile round trip, ns.</summary>
    public long P999Ns { get; set; }
    /// <summary>Longest round trip, ns.</summary>
    public long MaxNs { get; set; }
    /// <summary>The producer's elapsed time, s.</summary>
    public double Seconds { get; set; }
    /// <summary>The consumer's CPU time over its run, percent of one core.</summary>
    public double ConsumerCpu { get; set; }
    /// <summary>The producer's CPU time over its run, percent of one core.</summary>
    public double ProducerCpu { get; set; }
    /// <summary>Times the consumer woke from sleep on its doorbell.</summary>
    public long Wakeups { get; set; }
    /// <summary>Times the scheduler took the consumer's poll thread off its core during the run (preemption).</summary>
    public long ConsumerInvoluntarySwitches { get; set; }
    /// <summary>Times the producer's poll thread was preempted during the run.</summary>
    public long ProducerInvoluntarySwitches { get; set; }
    /// <summary>Times the consumer's poll thread gave up its core (slept) during the run.</summary>
    public long ConsumerVoluntarySwitches { get; set; }
    /// <summary>Times the producer's poll thread gave up its core during the run.</summary>
    public long ProducerVoluntarySwitches { get; set; }

    /// <summary>
    /// Whether the run was too short for one packet in flight: with one at a time, <see cref="Count"/> round trips
    /// take at least about Count x p50 / 2. Shorter means the pings overlapped and the figures are not round trips.
    /// </summary>
    [JsonIgnore]
    public bool Overlapped => Seconds * 1e9 < Count * (double)P50Ns / 2;

    /// <summary>One line of JSON, snake_case keys.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RttResultJson.Default.RttResult);

    /// <summary>Parses a line written by <see cref="ToJson"/>.</summary>
    public static RttResult? FromJson(string line) => JsonSerializer.Deserialize(line, RttResultJson.Default.RttResult);

    /// <summary>The human summary, one line.</summary>
    public override string ToString() =>
        $"rtt: consumer {Mode}, producer {DeviceMode}, {Size} B, {Count} round trips {(RatePps > 0 ? $"paced at {RatePps:0} pps" : "back-to-back")} in {Seconds:0.000} s: "
        + $"p50 {P50Ns} ns, p90 {P90Ns} ns, p99 {P99Ns} ns, p99.9 {P999Ns} ns, max {MaxNs} ns; "
        + $"cpu consumer {ConsumerCpu:0.0}%, producer {ProducerCpu:0.0}%, consumer wake-ups {Wakeups}; "
        + $"preempted consumer {ConsumerInvoluntarySwitches}, producer {ProducerInvoluntarySwitches} times; "
        + $"yielded consumer {ConsumerVoluntarySwitches}, producer {ProducerVoluntarySwitches} times";
}

/// <summary>Source-generated JSON for <see cref="RttResult"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RttResult))]
internal sealed partial class RttResultJson : JsonSerializerContext;
