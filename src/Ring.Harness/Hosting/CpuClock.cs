using System.Diagnostics;

namespace Ring.Harness.Hosting;

/// <summary>This process's CPU time over a stretch of wall time, as a percentage of one core (200 = two cores).</summary>
public sealed class CpuClock
{
    private readonly TimeSpan _cpuAtStart = Environment.CpuUsage.TotalTime;
    private readonly long _wallAtStart = Stopwatch.GetTimestamp();

    /// <summary>CPU time used since construction divided by the wall time since, in percent of one core.</summary>
    public double Percent()
    {
        double cpu = (Environment.CpuUsage.TotalTime - _cpuAtStart).TotalSeconds;
        double wall = Stopwatch.GetElapsedTime(_wallAtStart).TotalSeconds;
        return wall > 0 ? 100 * cpu / wall : 0;
    }
}
