using System.Text.Json;
using System.Text.Json.Serialization;
using Ring;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary>
/// One block of <c>bench stats</c>: the region's header (state, status, features, both sides) and every queue pair's
/// counters, with rates over the interval since the previous snapshot when there was one. Printed as text by
/// <see cref="StatsText"/> or as one JSON line (snake_case keys).
/// </summary>
public sealed class StatsSample
{
    /// <summary>When the snapshot was read (UTC).</summary>
    public DateTime Time { get; set; }
    /// <summary>The region's file.</summary>
    public string Region { get; set; } = "";
    /// <summary>Where the region is in its life: WaitingForDevice, Running, GuestLeft, DeviceLeft, Failed.</summary>
    public string State { get; set; } = "";
    /// <summary>The status bits, named.</summary>
    public string Status { get; set; } = "";
    /// <summary>The negotiated features, named; empty before the handshake.</summary>
    public string Features { get; set; } = "";
    /// <summary>The guest (the Consumer: it created the region).</summary>
    public StatsSide Guest { get; set; } = new();
    /// <summary>The device (the Producer: it attached).</summary>
    public StatsSide Device { get; set; } = new();
    /// <summary>Entries per ring.</summary>
    public int RingSize { get; set; }
    /// <summary>Bytes a buffer holds.</summary>
    public int BufferSize { get; set; }
    /// <summary>Seconds between the previous snapshot and this one, which the rates are over; null for the first.</summary>
    public double? IntervalSeconds { get; set; }
    /// <summary>Each queue pair.</summary>
    public List<StatsQueue> Queues { get; set; } = [];

    /// <summary>The block for <paramref name="now"/>, with rates since <paramref name="before"/> (taken
    /// <paramref name="seconds"/> earlier) when given. The guest counts as gone once its control socket hung up
    /// (<paramref name="guestConnected"/> false), even while its process still waits to be reaped.</summary>
    public static StatsSample Of(RegionSnapshot now, RegionSnapshot? before, double seconds, DateTime time, bool guestConnected = true) => new()
    {
        Time = time,
        Region = now.Path,
        State = now.State.ToString(),
        Status = now.Status.ToString(),
        Features = (now.Status & RegionStatus.FeaturesOk) == 0 ? "" : now.Features.ToString(),
        Guest = new() { Pid = now.GuestPid, Alive = guestConnected && StatsSide.ProcessExists(now.GuestPid), WaitMode = now.GuestWaitMode.Name() },
        Device = new() { Pid = now.DevicePid, Alive = StatsSide.ProcessExists(now.DevicePid), WaitMode = now.DeviceWaitMode.Name() },
        RingSize = now.RingSize,
        BufferSize = now.BufferSize,
        IntervalSeconds = before is null ? null : seconds,
        Queues = now.Queues.Select(q => StatsQueue.Of(q, before?.Queues[q.Index], seconds)).ToList(),
    };

    /// <summary>One line of JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, StatsJson.Default.StatsSample);

    /// <summary>Parses a line written by <see cref="ToJson"/>.</summary>
    public static StatsSample? FromJson(string line) => JsonSerializer.Deserialize(line, StatsJson.Default.StatsSample);
}

/// <summary>Source-generated JSON for <see cref="StatsSample"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StatsSample))]
internal sealed partial class StatsJson : JsonSerializerContext;
