using System.Globalization;
using System.Text;

namespace Bench;

/// <summary>sweep.csv: one header row, then one row per point, invariant culture, RFC 4180 quoting.</summary>
internal static class SweepCsv
{
    /// <summary>The columns, in order.</summary>
    public static readonly string[] Columns =
    [
        "mode", "rate_pps", "mpps", "p50_ns", "p99_ns", "consumer_cpu", "producer_cpu", "pkts_per_wakeup",
        "p90_ns", "p999_ns", "max_ns", "sent", "received", "wakeups", "consumer_alloc_bytes", "producer_alloc_bytes",
        "consumer_involuntary_switches", "producer_involuntary_switches", "consumer_voluntary_switches", "producer_voluntary_switches",
        "spin_ns_before", "spin_ns_after", "state", "tries", "off_state", "clean", "error",
    ];

    /// <summary>The whole file's text.</summary>
    public static string Format(IEnumerable<SweepPoint> points)
    {
        var text = new StringBuilder().AppendJoin(',', Columns).Append('\n');
        foreach (var p in points)
        {
            object?[] cells =
            [
                p.Mode, p.RatePps, p.Mpps, p.P50Ns, p.P99Ns, p.ConsumerCpu, p.ProducerCpu, p.PktsPerWakeup,
                p.P90Ns, p.P999Ns, p.MaxNs, p.Sent, p.Received, p.Wakeups, p.ConsumerAllocBytes, p.ProducerAllocBytes,
                p.ConsumerInvoluntarySwitches, p.ProducerInvoluntarySwitches, p.ConsumerVoluntarySwitches, p.ProducerVoluntarySwitches,
                p.SpinNsBefore, p.SpinNsAfter, p.State, p.Tries, p.OffState ? "true" : "false", p.Clean ? "true" : "false", p.Error,
            ];
            text.AppendJoin(',', cells.Select(Cell)).Append('\n');
        }
        return text.ToString();
    }

    private static string Cell(object? value) => value switch
    {
        null => "",
        double d => d.ToString("0.######", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        string s when s.IndexOfAny([',', '"', '\n', '\r']) >= 0 => "\"" + s.Replace("\"", "\"\"") + "\"",
        _ => value.ToString() ?? "",
    };
}
