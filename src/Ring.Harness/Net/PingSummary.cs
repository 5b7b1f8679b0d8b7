using System.Globalization;
using System.Text.RegularExpressions;

namespace Ring.Harness.Net;

/// <summary>
/// The statistics <c>ping</c> prints when it ends (iputils, and busybox's shorter form):
/// <code>
/// 100 packets transmitted, 100 received, 0% packet loss, time 1003ms
/// rtt min/avg/max/mdev = 0.035/0.052/0.090/0.011 ms
/// </code>
/// Round-trip times are in milliseconds, as ping prints them, and absent when nothing came back.
/// </summary>
public sealed partial record PingSummary(
    int Transmitted, int Received, int Duplicates, int Errors, double LossPercent,
    double? RttMinMs, double? RttAvgMs, double? RttMaxMs, double? RttMdevMs)
{
    /// <summary>Finds the statistics in ping's output; throws <see cref="FormatException"/> when there are none.</summary>
    public static PingSummary Parse(string output)
    {
        var counts = CountsLine().Match(output);
        if (!counts.Success)
            throw new FormatException($"no ping statistics line (N packets transmitted, N received, N% packet loss) in: {FirstLines(output)}");
        var rtt = RttLine().Match(output);
        double? Rtt(int group) => rtt.Success && rtt.Groups[group].Success ? Number(rtt.Groups[group].Value) : null;
        return new PingSummary(
            Transmitted: int.Parse(counts.Groups["transmitted"].Value, CultureInfo.InvariantCulture),
            Received: int.Parse(counts.Groups["received"].Value, CultureInfo.InvariantCulture),
            Duplicates: counts.Groups["duplicates"].Success ? int.Parse(counts.Groups["duplicates"].Value, CultureInfo.InvariantCulture) : 0,
            Errors: counts.Groups["errors"].Success ? int.Parse(counts.Groups["errors"].Value, CultureInfo.InvariantCulture) : 0,
            LossPercent: Number(counts.Groups["loss"].Value),
            RttMinMs: Rtt(1), RttAvgMs: Rtt(2), RttMaxMs: Rtt(3), RttMdevMs: Rtt(4));
    }

    /// <summary>One line, as ping's: <c>100/100 received, 0% loss, rtt min/avg/max/mdev 0.035/0.052/0.090/0.011 ms</c>.</summary>
    public override string ToString() =>
        $"{Received}/{Transmitted} received, {LossPercent.ToString(CultureInfo.InvariantCulture)}% loss"
        + (RttAvgMs is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $", rtt min/avg/max/mdev {RttMinMs:0.000}/{RttAvgMs:0.000}/{RttMaxMs:0.000}/{RttMdevMs ?? 0:0.000} ms"));

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string FirstLines(string output) => string.Join(" | ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(3));

    [GeneratedRegex(@"(?<transmitted>\d+) packets transmitted, (?<received>\d+) (?:packets )?received,(?: \+(?<duplicates>\d+) duplicates,)?(?: \+(?<errors>\d+) errors,)? (?<loss>[\d.]+)% packet loss")]
    private static partial Regex CountsLine();

    [GeneratedRegex(@"(?:rtt|round-trip) min/avg/max(?:/mdev)? = ([\d.]+)/([\d.]+)/([\d.]+)(?:/([\d.]+))? ms")]
    private static partial Regex RttLine();
}
