using ScottPlot;
using ScottPlot.TickGenerators;

namespace Bench;

/// <summary>
/// The sweep's two pictures, drawn with ScottPlot: <c>latency.png</c> (one-way latency against offered load,
/// log-log, per mode its p99 as a solid line and its p50 as a dashed one in the same colour, so a mode whose tail
/// is far above its median shows as such; a cross on a p99 whose tail coincides with preemption of the consumer,
/// <see cref="SweepPoint.TailIsPreemption"/>) and <c>cpu.png</c> (consumer CPU against offered load, log x). A
/// saturation run has no offered load, so it sits at the rate it measured, drawn with a larger open circle.
/// </summary>
/// <remarks>
/// ScottPlot 5 has no log axis: the log axes plot log10 of the values, with integer (decade) major ticks labelled
/// with the real value and <see cref="LogMinorTickGenerator"/> minor ticks at 2..9 of each decade.
/// </remarks>
internal static class SweepCharts
{
    private const int Width = 1100;
    private const int Height = 600;

    /// <summary>Writes latency.png and cpu.png into <paramref name="directory"/> and returns their paths.</summary>
    public static (string Latency, string Cpu) Write(string directory, IReadOnlyList<SweepPoint> points, int size)
    {
        string latency = Path.Combine(directory, "latency.png");
        string cpu = Path.Combine(directory, "cpu.png");
        Draw(points, [new("p99", p => p.P99Ns, Dashed: false), new("p50", p => p.P50Ns, Dashed: true)], logY: true,
            $"p50 (dashed) and p99 (solid) one-way latency vs offered load, {size} B packets", "one-way latency", latency);
        Draw(points, [new("", p => p.ConsumerCpu, Dashed: false)], logY: false,
            $"consumer CPU vs offered load, {size} B packets", "consumer CPU, % of one core", cpu);
        return (latency, cpu);
    }

    /// <summary>One figure drawn per mode: its legend suffix, its value, and whether its line is dashed; the first
    /// figure of a picture is the one preempted points are marked on.</summary>
    private sealed record Figure(string Name, Func<SweepPoint, double> Value, bool Dashed);

    private static void Draw(IReadOnlyList<SweepPoint> points, IReadOnlyList<Figure> figures, bool logY,
        string title, string yLabel, string path)
    {
        var plot = new Plot();
        var allX = new List<double>();
        var allY = new List<double>();
        var preempted = new List<(double X, double Y)>();
        foreach (var mode in points.Select(p => p.Mode).Distinct())
        {
            Color? color = null;
            foreach (var figure in figures)
            {
                var line = points
                    .Where(p => p.Mode == mode && p.Usable && p.LoadAxisPps > 0 && (!logY || figure.Value(p) > 0))
                    .OrderBy(p => p.LoadAxisPps)
                    .ToList();
                if (line.Count == 0)
                    continue;
                double[] xs = line.Select(p => Math.Log10(p.LoadAxisPps)).ToArray();
                double[] ys = line.Select(p => logY ? Math.Log10(figure.Value(p)) : figure.Value(p)).ToArray();
                allX.AddRange(xs);
                allY.AddRange(ys);
                var scatter = plot.Add.Scatter(xs, ys);
                color ??= scatter.Color; // a mode keeps one colour over its figures
                scatter.Color = color.Value;
                scatter.LegendText = figure.Name.Length == 0 ? mode : $"{mode} {figure.Name}";
                scatter.LineWidth = figure.Dashed ? 1.5f : 2;
                scatter.LinePattern = figure.Dashed ? LinePattern.Dashed : LinePattern.Solid;
                scatter.MarkerSize = figure.Dashed ? 5 : 7;
                int saturation = line.FindIndex(p => p.RatePps == 0);
                if (saturation >= 0)
                    plot.Add.Marker(xs[saturation], ys[saturation], MarkerShape.OpenCircle, 16, color.Value);
                if (figure == figures[0] && figures.Count > 1)
                    preempted.AddRange(Enumerable.Range(0, line.Count).Where(i => line[i].TailIsPreemption).Select(i => (xs[i], ys[i])));
            }
        }
        for (int i = 0; i < preempted.Count; i++) // after the lines: drawn on top, and last in the legend
        {
            var cross = plot.Add.Marker(preempted[i].X, preempted[i].Y, MarkerShape.Eks, 18, Colors.Red);
            if (i == 0)
                cross.LegendText = $"p99 > {PreemptedTail.TailRatio}x p50, consumer preempted";
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
        plot.ShowLegend(Edge.Right); // beside the plot: the lines reach every corner
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
