using System.Globalization;

namespace Bench;

/// <summary>How the bench prints loads and latencies for people: "10 kpps", "1 Mpps", "20 us", "1 ms".</summary>
internal static class Figures
{
    /// <summary>An offered load in packets per second; 0 is "saturation" (the sender unpaced).</summary>
    public static string Load(double pps) => pps switch
    {
        0 => "saturation",
        >= 1e6 => Format(pps / 1e6, "Mpps"),
        >= 1e3 => Format(pps / 1e3, "kpps"),
        _ => Format(pps, "pps"),
    };

    /// <summary>A time in nanoseconds, in the largest unit that keeps it at 1 or more.</summary>
    public static string Latency(double ns) => ns switch
    {
        >= 1e9 => Format(ns / 1e9, "s"),
        >= 1e6 => Format(ns / 1e6, "ms"),
        >= 1e3 => Format(ns / 1e3, "us"),
        _ => Format(ns, "ns"),
    };

    private static string Format(double value, string unit) =>
        value.ToString("0.##", CultureInfo.InvariantCulture) + " " + unit;
}
