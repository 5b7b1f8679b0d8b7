using Ring;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary><c>bench plot FOLDER</c>: reads FOLDER/sweep.json and writes FOLDER/latency.png and FOLDER/cpu.png again.</summary>
internal static class PlotCommand
{
    public static int Run(PlotOptions options)
    {
        var (latency, cpu) = Execute(options.Folder);
        Console.WriteLine($"wrote {latency}, {cpu}");
        return ExitCodes.Ok;
    }

    /// <summary>Redraws the pictures of the sweep in <paramref name="folder"/>; returns their paths.</summary>
    public static (string Latency, string Cpu) Execute(string folder)
    {
        string json = Path.Combine(folder, "sweep.json");
        if (!File.Exists(json))
            throw new ArgumentException($"{json} not found: give a sweep's results folder");
        var report = SweepReport.FromJson(File.ReadAllText(json)) ?? throw new RunFailedException($"{json} is empty");
        return SweepCharts.Write(folder, report.Points, report.Size);
    }
}
