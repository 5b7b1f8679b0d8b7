using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ring.Harness.Net;

namespace Bench;

/// <summary>The result of one <c>bench ping-demo</c>: ping's statistics through the guest and across the veth pair.
/// Round-trip times are in microseconds (ping prints milliseconds).</summary>
public sealed class PingDemoResult
{
    /// <summary>What answered the guest's pings: <c>tap-direct</c> (icmpecho served straight from the TAP in this
    /// process, no ring) until the pair is wired in.</summary>
    public string Path { get; set; } = "";
    /// <summary>How the guest waited: poll, event or hybrid.</summary>
    public string Mode { get; set; } = "";
    /// <summary>ICMP data bytes per request.</summary>
    public int Size { get; set; }
    /// <summary>The MTU of the TAP and of the veth pair.</summary>
    public int Mtu { get; set; }
    /// <summary>Requests ping sent to the guest.</summary>
    public int Transmitted { get; set; }
    /// <summary>Replies ping got back from the guest.</summary>
    public int Received { get; set; }
    /// <summary>ping's loss, percent.</summary>
    public double LossPct { get; set; }
    /// <summary>Fastest round trip through the guest, us.</summary>
    public double? RttMinUs { get; set; }
    /// <summary>Mean round trip through the guest, us.</summary>
    public double? RttAvgUs { get; set; }
    /// <summary>Slowest round trip through the guest, us.</summary>
    public double? RttMaxUs { get; set; }
    /// <summary>ping's mean deviation of the guest's round trips, us.</summary>
    public double? RttMdevUs { get; set; }
    /// <summary>Replies ping got back across the veth pair (of as many requests as <see cref="Transmitted"/>).</summary>
    public int VethReceived { get; set; }
    /// <summary>Fastest round trip across the veth pair, us.</summary>
    public double? VethRttMinUs { get; set; }
    /// <summary>Mean round trip across the veth pair, us.</summary>
    public double? VethRttAvgUs { get; set; }
    /// <summary>Slowest round trip across the veth pair, us.</summary>
    public double? VethRttMaxUs { get; set; }
    /// <summary>What the guest did with every frame: replies and drops per reason.</summary>
    public string Guest { get; set; } = "";

    /// <summary>Whether every request was answered on both paths.</summary>
    [JsonIgnore]
    public bool AllAnswered => Received == Transmitted && VethReceived == Transmitted;

    /// <summary>Fills the figures from ping's summaries.</summary>
    public static PingDemoResult From(string path, string mode, int size, int mtu, PingSummary guest, PingSummary veth, FrameCounters counters) => new()
    {
        Path = path,
        Mode = mode,
        Size = size,
        Mtu = mtu,
        Transmitted = guest.Transmitted,
        Received = guest.Received,
        LossPct = guest.LossPercent,
        RttMinUs = guest.RttMinMs * 1000,
        RttAvgUs = guest.RttAvgMs * 1000,
        RttMaxUs = guest.RttMaxMs * 1000,
        RttMdevUs = guest.RttMdevMs * 1000,
        VethReceived = veth.Received,
        VethRttMinUs = veth.RttMinMs * 1000,
        VethRttAvgUs = veth.RttAvgMs * 1000,
        VethRttMaxUs = veth.RttMaxMs * 1000,
        Guest = counters.ToString(),
    };

    /// <summary>One line of JSON, snake_case keys.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, PingDemoResultJson.Default.PingDemoResult);

    /// <summary>Parses a line written by <see cref="ToJson"/>.</summary>
    public static PingDemoResult? FromJson(string line) => JsonSerializer.Deserialize(line, PingDemoResultJson.Default.PingDemoResult);

    /// <summary>The human summary: one line per path, then the guest's counters.</summary>
    public override string ToString()
    {
        static string Us(double? value) => value is null ? "-" : value.Value.ToString("0.0", CultureInfo.InvariantCulture);
        return $"ping-demo: {Transmitted} requests of {Size} B every 10 ms, MTU {Mtu}, guest {Mode}\n"
            + $"  guest ({Path}): {Received}/{Transmitted} received, {LossPct.ToString(CultureInfo.InvariantCulture)}% loss, "
            + $"rtt min/avg/max/mdev {Us(RttMinUs)}/{Us(RttAvgUs)}/{Us(RttMaxUs)}/{Us(RttMdevUs)} us\n"
            + $"  veth (kernel to kernel): {VethReceived}/{Transmitted} received, rtt min/avg/max {Us(VethRttMinUs)}/{Us(VethRttAvgUs)}/{Us(VethRttMaxUs)} us\n"
            + $"  guest frames: {Guest}";
    }
}

/// <summary>Source-generated JSON for <see cref="PingDemoResult"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PingDemoResult))]
internal sealed partial class PingDemoResultJson : JsonSerializerContext;
