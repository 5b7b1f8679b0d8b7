using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary>
/// <c>bench micro</c>: runs <see cref="BurstBenchmarks"/> with BenchmarkDotNet's short-run job, in this process (no
/// generated project is built), with the memory diagnoser. Reports go to <c>&lt;out&gt;/micro</c>.
/// </summary>
internal static class MicroCommand
{
    public static int Run(MicroOptions options)
    {
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddFilter(new GlobFilter([options.Filter]))
            .WithArtifactsPath(Path.Combine(options.Out, "micro"));
        var summary = BenchmarkRunner.Run<BurstBenchmarks>(config);
        if (summary.BenchmarksCases.Length == 0)
            throw new ArgumentException($"--filter '{options.Filter}' matches no benchmark");
        return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? ExitCodes.Failure : ExitCodes.Ok;
    }
}
