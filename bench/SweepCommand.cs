using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ring;
using Ring.Hosting;

namespace Bench;

/// <summary>
/// <c>bench sweep</c>: runs <c>pair</c> (both sides in one mode, RX, paced to the offered load) for every mode and
/// every offered load, then writes <c>results/&lt;stamp&gt;/</c> sweep.csv, sweep.json, latency.png and cpu.png,
/// prints a table and one advisor line per latency target and load: the cheapest mode that met the target there.
/// A point whose pair run fails is kept as a failed row and left out of the pictures and the advice.
/// </summary>
internal static class SweepCommand
{
    /// <summary>What a point costs beyond its seconds (two program starts and the handshake), for the first estimate.</summary>
    private const double StartSeconds = 0.5;

    public static int Run(SweepOptions options)
    {
        var report = Execute(options, Console.Error);
        Console.WriteLine(Table(report));
        foreach (string line in report.AdviceLines)
            Console.WriteLine(line);
        if (report.Refs is { } refs)
            Console.WriteLine(refs.Text);
        Console.WriteLine($"wrote {report.Directory}/sweep.csv, sweep.json, latency.png, cpu.png");
        if (options.Json)
            Console.WriteLine(report.ToJson());
        return report.Points.All(p => p.Usable) ? ExitCodes.Ok : ExitCodes.VerificationFailed;
    }

    /// <summary>
    /// Runs every point, writes the four files and returns the report; says on <paramref name="progress"/> which
    /// point runs and about how long is left.
    /// </summary>
    public static SweepReport Execute(SweepOptions options, TextWriter progress)
    {
        options.Validate();
        var modes = options.ModeList();
        var rates = options.RateList();
        string directory = NewResultsFolder(options.Out);
        var report = new SweepReport { Directory = directory, Size = options.Size, Seconds = options.Seconds, Cpus = options.Cpus };

        int total = modes.Count * rates.Count;
        var clock = Stopwatch.StartNew();
        foreach (string mode in modes)
        {
            foreach (double rate in rates)
            {
                int done = report.Points.Count;
                double perPoint = done == 0 ? options.Seconds + StartSeconds : clock.Elapsed.TotalSeconds / done;
                progress.WriteLine($"[{done + 1}/{total}] {mode} @ {(rate == 0 ? "saturation" : $"{rate:0} pps")}, ~{perPoint * (total - done):0} s left");
                report.Points.Add(RunPoint(options, mode, rate));
            }
        }
        report.Advice = SweepAdvice.From(report.Points, options.TargetsNs());
        File.WriteAllText(Path.Combine(directory, "sweep.csv"), SweepCsv.Format(report.Points));
        SweepCharts.Write(directory, report.Points, options.Size);
        if (options.Refs)
            report.Refs = RefsCommand.TryExecute(new RefsOptions { Size = options.Size, Cpus = options.Cpus }, progress);
        File.WriteAllText(Path.Combine(directory, "sweep.json"), report.ToJson() + "\n");
        return report;
    }

    /// <summary>The printed table: one row per point.</summary>
    public static string Table(SweepReport report)
    {
        var text = new StringBuilder()
            .AppendLine($"sweep: {report.Size} B, {report.Seconds:0.###} s per point, direction rx, cpus {(report.Cpus.Length == 0 ? "unpinned" : report.Cpus)}")
            .AppendLine($"{"mode",-7} {"offered",-11} {"Mpps",8} {"p50",10} {"p99",10} {"cons cpu%",9} {"prod cpu%",9} {"pkts/wake",9}");
        foreach (var p in report.Points)
        {
            text.Append($"{p.Mode,-7} {Figures.Load(p.RatePps),-11} ");
            if (p.Error is not null)
                text.AppendLine($"failed: {p.Error.Split('\n')[0]}");
            else
                text.AppendLine($"{p.Mpps,8:0.000} {Figures.Latency(p.P50Ns),10} {Figures.Latency(p.P99Ns),10} {p.ConsumerCpu,9:0.0} {p.ProducerCpu,9:0.0} "
                    + $"{(p.PktsPerWakeup == 0 ? "-" : p.PktsPerWakeup.ToString("0.0", CultureInfo.InvariantCulture)),9}"
                    + (p.Clean ? "" : "  (packets lost, bad or dropped)"));
        }
        return text.ToString().TrimEnd();
    }

    private static SweepPoint RunPoint(SweepOptions options, string mode, double rate)
    {
        var pair = new PairOptions { Mode = mode, Rate = rate, Seconds = options.Seconds, Size = options.Size, Cpus = options.Cpus };
        try
        {
            return SweepPoint.Of(mode, rate, PairCommand.Execute(pair, out _));
        }
        catch (RingException e)
        {
            return SweepPoint.Failed(mode, rate, e.Message);
        }
    }

    /// <summary>A new folder <c>&lt;out&gt;/&lt;yyyyMMdd-HHmmss&gt;</c> (with a suffix when that one exists).</summary>
    private static string NewResultsFolder(string outRoot)
    {
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string directory = Path.Combine(outRoot, stamp);
        for (int n = 2; Directory.Exists(directory); n++)
            directory = Path.Combine(outRoot, $"{stamp}-{n}");
        Directory.CreateDirectory(directory);
        return directory;
    }
}
