using System.Globalization;
using System.Text;

namespace Bench;

/// <summary>
/// <c>bench stats</c>'s block as text: the region's header, then one table per queue pair (packets, bytes and
/// rates each way, the four rings, drops, doorbells, sleeps, buffers held). The rates are of what the receiving side
/// received.
/// </summary>
internal static class StatsText
{
    /// <summary>The block, lines separated by '\n', no trailing newline.</summary>
    public static string Format(StatsSample s)
    {
        var text = new StringBuilder();
        string interval = s.IntervalSeconds is { } seconds ? $"rates over {seconds:0.00} s" : "rates from the next interval";
        text.AppendLine($"region    {s.Region}   {s.Time.ToLocalTime():HH:mm:ss}   {interval}");
        text.AppendLine($"state     {s.State} (status {s.Status})");
        text.AppendLine($"features  {(s.Features.Length == 0 ? "not negotiated yet" : s.Features)}");
        text.AppendLine($"guest     {Side(s.Guest)}");
        text.AppendLine($"device    {(s.Device.Pid == 0 ? "none attached yet" : Side(s.Device))}");
        text.AppendLine($"geometry  {s.Queues.Count} queue pair(s), {s.RingSize} entries per ring, {s.BufferSize}-byte buffers");
        foreach (var q in s.Queues)
        {
            text.AppendLine();
            text.AppendLine($"queue {q.Queue,-6} {"sent",14} {"received",14} {"bytes",16} {"Mpps",9} {"MB/s",10}");
            text.AppendLine(Traffic("rx", q.Rx));
            text.AppendLine(Traffic("tx", q.Tx));
            text.AppendLine($"  rings       fill {Ring(q, StatsQueue.FillRing, s)}, rx completion {Ring(q, StatsQueue.RxCompletionRing, s)}, "
                + $"tx {Ring(q, StatsQueue.TxRing, s)}, tx completion {Ring(q, StatsQueue.TxCompletionRing, s)}");
            text.AppendLine($"  drops       {Drops(q)}");
            text.AppendLine($"  doorbells   guest to device {q.DoorbellsToDevice}, device to guest {q.DoorbellsToGuest}");
            text.AppendLine($"  sleeps      guest  {Sleeps(q.GuestSleeps)}");
            text.AppendLine($"              device {Sleeps(q.DeviceSleeps)}");
            text.AppendLine($"  buffers     held by the application: guest {q.GuestHeld}, device {q.DeviceHeld}; "
                + $"rents that found none: guest {q.GuestStarved}, device {q.DeviceStarved}");
        }
        return text.ToString().TrimEnd();
    }

    private static string Side(StatsSide side) => $"pid {side.Pid} ({(side.Alive ? "running" : "gone")}), waits {side.WaitMode}";

    private static string Traffic(string direction, StatsTraffic t) =>
        $"  {direction,-11} {t.Sent,14} {t.Packets,14} {t.Bytes,16} {Rate(t.PacketsPerSecond, 1e6, "0.000"),9} {Rate(t.BytesPerSecond, 1e6, "0.0"),10}";

    private static string Rate(double? perSecond, double unit, string format) =>
        perSecond is { } r ? (r / unit).ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Ring(StatsQueue q, string ring, StatsSample s) => $"{q.Rings[ring]}/{s.RingSize}";

    private static string Drops(StatsQueue q) => q.Drops.Count == 0
        ? "none"
        : string.Join("; ", q.Drops.Select(ring => $"{ring.Key.Replace('_', ' ')} ring: "
            + string.Join(", ", ring.Value.Select(reason => $"{reason.Key} {reason.Value}"))));

    private static string Sleeps(StatsSleeps sleeps) =>
        $"{sleeps.Sleeps} sleeps, {sleeps.Wakeups} wake-ups ({sleeps.SpuriousWakeups} spurious, {sleeps.Timeouts} timeouts), "
        + $"{(sleeps.PacketsPerWakeup is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) : "-")} packets per wake-up";
}
