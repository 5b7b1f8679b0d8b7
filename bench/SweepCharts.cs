using ScottPlot;
using ScottPlot.TickGenerators;

namespace Bench;

/// <summary>
/// The sweep's two pictures, drawn with ScottPlot: <c>latency.png</c> (p99 one-way latency against offered load,
/// log-log, one line per mode) and <c>cpu.png</c> (consumer CPU against offered load, log x). A saturation run has
/// no offered load, so it sits at the rate it measured, drawn with a larger open circle.
/// </summary>
/// <remarks>
/// ScottPlot 5 has no log axis: the log axes plot log10 of the values, with integer (decade) major ticks labelled
/// with the real value and <see cref="LogMinorTickGenerator"/> minor ticks at 2..9 of each decade.
/// </remarks>
internal static class SweepCharts
{
    private const int Width = 900;
    private const int Height = 600;

    /// <summary>Writes latency.png and cpu.png into <paramref name="directory"/> and returns their paths.</summary>
    public static (string Latency, string Cpu) Write(string directory, IReadOnlyList<SweepPoint> points, int size)
    {
        string latency = Path.Combine(directory, "latency.png");
        string cpu = Path.Combine(directory, "cpu.png");
        Draw(points, p => p.P99Ns, logY: true, $"p99 one-way latency vs offered load, {size} B packets", "p99 latency", latency);
        Draw(points, p => p.ConsumerCpu, logY: false, $"consumer CPU vs offered load, {size} B packets", "consumer CPU, % of one core", cpu);
        return (latency, cpu);
    }

    private static void Draw(IReadOnlyList<SweepPoint> points, Func<SweepPoint, double> figure, bool logY,
        string title, string yLabel, string path)
    {
        var plot = new Plot();
        var allX = new List<double>();
        var allY = new List<double>();
        foreach (var mode in points.Select(p => p.Mode).Distinct())
        {
            var line = points
                .Where(p => p.Mode == mode && p.Usable && p.LoadAxisPps > 0 && (!logY || figure(p) > 0))
                .OrderBy(p => p.LoadAxisPps)
                .ToList();
            if (line.Count == 0)
                continue;
            double[] xs = line.Select(p => Math.Log10(p.LoadAxisPps)).ToArray();
            double[] ys = line.Select(p => logY ? Math.Log10(figure(p)) : figure(p)).ToArray();
            allX.AddRange(xs);
            allY.AddRange(ys);
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = mode;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 7;
            int saturation = line.FindIndex(p => p.RatePps == 0);
            if (saturation >= 0)
                plot.Add.Marker(xs[saturation], ys[saturation], MarkerShape.OpenCircle, 16, scatter.Color);
        }
        plot.Axes.Bottom.TickGenerator = LogTicks(pps => Figures.Load(pps).Replace(" ", ""));
        if (allX.Count > 0)
            plot.Axes.SetLimitsX(DecadeBelow(allX.Min()), DecadeAbove(allX.Max()));
        if (logY)
        {
            plot.Axes.Left.TickGenerator = LogTicks(ns => Figures.Latency(ns));
            if (allY.Count > 0)
                plot.Axes.SetLimitsY(DecadeBelow(allY.Min()), DecadeAbove(allY.Max()));
        }
        else
        {
            plot.Axes.Left.TickGenerator = new NumericFixedInterval(10);
            plot.Axes.SetLimitsY(0, Math.Max(105, allY.DefaultIfEmpty(0).Max() * 1.05));
        }
        plot.Grid.MajorLineColor = Colors.Black.WithOpacity(0.15);
        plot.Grid.MinorLineColor = Colors.Black.WithOpacity(0.05);
        plot.Grid.MinorLineWidth = 1;
        plot.Title(title);
        plot.XLabel("offered load, packets/s (open circle: saturation, at its measured rate)");
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.Right.MinimumSize = 40; // room for the last decade's label
        plot.SavePng(path, Width, Height);
    }

    /// <summary>The axis limit below log10 value <paramref name="log"/>: the decade under it, so at least two decades show.</summary>
    private static double DecadeBelow(double log) => Math.Floor(log) - 0.05;

    /// <summary>The axis limit above log10 value <paramref name="log"/>: the decade over it.</summary>
    private static double DecadeAbove(double log) => Math.Floor(log) + 1.05;

    /// <summary>Decade major ticks labelled with 10^tick by <paramref name="label"/>, and log-spaced minor ticks.</summary>
    private static NumericAutomatic LogTicks(Func<double, string> label) => new()
    {
        MinorTickGenerator = new LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = tick => label(Math.Pow(10, tick)),
    };
}
