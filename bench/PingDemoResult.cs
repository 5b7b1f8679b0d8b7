using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ring.Harness.Hosting;
using Ring.Harness.Net;

namespace Bench;

/// <summary>The result of one <c>bench ping-demo</c>: ping's statistics through the guest and across the veth pair,
/// and what the two programs counted. Round-trip times are in microseconds (ping prints milliseconds).</summary>
public sealed class PingDemoResult
{
    /// <summary>What answered the guest's pings: <c>ring</c> (the Producer bridging the TAP to the Consumer's icmpecho).</summary>
    public string Path { get; set; } = "";
    /// <summary>How both programs waited: poll, event or hybrid.</summary>
    public string Mode { get; set; } = "";
    /// <summary>ICMP data bytes per request.</summary>
    public int Size { get; set; }
    /// <summary>The MTU of the TAP and of the veth pair.</summary>
    public int Mtu { get; set; }
    /// <summary>Whether both pings were floods (<c>ping -f -l 64</c>).</summary>
    public bool Flood { get; set; }
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
    /// <summary>With <c>--flood</c>: replies from the guest per second of ping's run.</summary>
    public double? FloodPps { get; set; }
    /// <summary>Replies ping got back across the veth pair (of as many requests as <see cref="Transmitted"/>).</summary>
    public int VethReceived { get; set; }
    /// <summary>Fastest round trip across the veth pair, us.</summary>
    public double? VethRttMinUs { get; set; }
    /// <summary>Mean round trip across the veth pair, us.</summary>
    public double? VethRttAvgUs { get; set; }
    /// <summary>Slowest round trip across the veth pair, us.</summary>
    public double? VethRttMaxUs { get; set; }
    /// <summary>With <c>--flood</c>: replies across the veth pair per second of ping's run.</summary>
    public double? VethFloodPps { get; set; }
    /// <summary>What the guest did with every frame: replies and drops per reason.</summary>
    public string Guest { get; set; } = "";
    /// <summary>What the device moved: frames from the TAP to the guest, from the guest to the TAP, drops.</summary>
    public string Device { get; set; } = "";
    /// <summary>The Consumer's CPU over its run, percent of one core.</summary>
    public double GuestCpu { get; set; }
    /// <summary>The Producer's CPU over its run, percent of one core.</summary>
    public double DeviceCpu { get; set; }

    /// <summary>Whether every request was answered on both paths.</summary>
    [JsonIgnore]
    public bool AllAnswered => Received == Transmitted && VethReceived == Transmitted;

    /// <summary>One path's ping: its summary, its rate when it was a flood, and, through the ring, both programs' summaries.</summary>
    internal sealed record Side(PingSummary Ping, double? FloodPps, RunSummary? Guest = null, RunSummary? Device = null);

    /// <summary>Fills the figures from both paths.</summary>
    internal static PingDemoResult From(string path, PingDemoOptions options, Side guest, Side veth) => new()
    {
        Path = path,
        Mode = options.Mode,
        Size = options.Size,
        Mtu = options.Mtu,
        Flood = options.Flood,
        Transmitted = guest.Ping.Transmitted,
        Received = guest.Ping.Received,
        LossPct = guest.Ping.LossPercent,
        RttMinUs = guest.Ping.RttMinMs * 1000,
        RttAvgUs = guest.Ping.RttAvgMs * 1000,
        RttMaxUs = guest.Ping.RttMaxMs * 1000,
        RttMdevUs = guest.Ping.RttMdevMs * 1000,
        FloodPps = guest.FloodPps,
        VethReceived = veth.Ping.Received,
        VethRttMinUs = veth.Ping.RttMinMs * 1000,
        VethRttAvgUs = veth.Ping.RttAvgMs * 1000,
        VethRttMaxUs = veth.Ping.RttMaxMs * 1000,
        VethFloodPps = veth.FloodPps,
        Guest = guest.Guest is { } g ? $"replied {g.Replied}, dropped {Drops(g.AppDropped, g.AppDrops)}" : "",
        Device = guest.Device is { } d
            ? $"from the TAP {d.UplinkIn}, to the TAP {d.UplinkOut}, dropped {Drops(d.UplinkDrops.Values.Sum(), d.UplinkDrops)}"
            : "",
        GuestCpu = guest.Guest?.Cpu ?? 0,
        DeviceCpu = guest.Device?.Cpu ?? 0,
    };

    private static string Drops(long total, Dictionary<string, long> byReason) =>
        total == 0 ? "0" : $"{total} ({string.Join(", ", byReason.Select(d => $"{d.Key} {d.Value}"))})";

    /// <summary>One line of JSON, snake_case keys.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, PingDemoResultJson.Default.PingDemoResult);

    /// <summary>Parses a line written by <see cref="ToJson"/>.</summary>
    public static PingDemoResult? FromJson(string line) => JsonSerializer.Deserialize(line, PingDemoResultJson.Default.PingDemoResult);

    /// <summary>The human summary: one line per path, then the programs' counters.</summary>
    public override string ToString()
    {
        static string Us(double? value) => value is null ? "-" : value.Value.ToString("0.0", CultureInfo.InvariantCulture);
        static string Pps(double? value) => value is null ? "" : $", {value.Value.ToString("0", CultureInfo.InvariantCulture)} replies/s";
        string what = Flood ? $"ping -f -l {PingDemoOptions.FloodPreload}" : "every 10 ms";
        return $"ping-demo: {Transmitted} requests of {Size} B {what}, MTU {Mtu}, both programs {Mode}\n"
            + $"  guest ({Path}): {Received}/{Transmitted} received, {LossPct.ToString(CultureInfo.InvariantCulture)}% loss, "
            + $"rtt min/avg/max/mdev {Us(RttMinUs)}/{Us(RttAvgUs)}/{Us(RttMaxUs)}/{Us(RttMdevUs)} us{Pps(FloodPps)}\n"
            + $"  veth (kernel to kernel): {VethReceived}/{Transmitted} received, rtt min/avg/max {Us(VethRttMinUs)}/{Us(VethRttAvgUs)}/{Us(VethRttMaxUs)} us{Pps(VethFloodPps)}\n"
            + $"  guest frames: {Guest}; cpu {GuestCpu.ToString("0.0", CultureInfo.InvariantCulture)}%\n"
            + $"  device frames: {Device}; cpu {DeviceCpu.ToString("0.0", CultureInfo.InvariantCulture)}%";
    }
}

/// <summary>Source-generated JSON for <see cref="PingDemoResult"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PingDemoResult))]
internal sealed partial class PingDemoResultJson : JsonSerializerContext;
