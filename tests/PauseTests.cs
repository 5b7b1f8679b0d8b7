using System.Diagnostics;
using Ring.Harness.Hosting;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// A pause is not a death: a peer stopped with SIGSTOP (as a debugger or a long GC pause would hold it) keeps its
/// control socket open, so the other side reports a stall, waits it out, and loses nothing when the peer goes on.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PauseTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly ProgramRunner _runner = new();

    [Theory]
    [InlineData("poll")]
    [InlineData("event")]
    public void Consumer_ProducerStoppedThreeSeconds_ReportsAStallAndReceivesEverything(string mode)
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--mode", mode, "--stall-timeout", "1",
            "--attach-timeout", "30", "--json");
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--mode", mode, "--rate", "20000",
            "--packets", "100000", "--wait", "30", "--json");
        Thread.Sleep(TimeSpan.FromSeconds(1.5)); // running: about 20000 packets a second for 5 s
        Assert.False(producer.HasExited, $"the producer exited before it was stopped\n{producer.Collect()}");

        Signal("STOP", producer.Pid);
        Thread.Sleep(TimeSpan.FromSeconds(3));
        Assert.False(consumer.HasExited, $"the consumer gave up on a stopped producer\n{consumer.Collect()}");
        Signal("CONT", producer.Pid);
        var results = _runner.WaitAll(Deadline, consumer, producer);

        Assert.True(results.All(r => r.ExitCode == ExitCodes.Ok), ProgramRunner.Describe(results));
        var summary = results[0].Summary();
        Assert.Equal(100_000UL, summary.Received);
        Assert.Equal(0UL, summary.Bad + summary.Missing);
        Assert.Contains("stalled: no progress for", results[0].Stderr);
        Assert.Contains("a pause is not a death", results[0].Stderr);
        Assert.Contains("resumed after", results[0].Stderr);
    }

    public void Dispose() => _runner.Dispose();

    private static void Signal(string signal, int pid)
    {
        var info = new ProcessStartInfo("kill") { RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-" + signal);
        info.ArgumentList.Add(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var kill = Process.Start(info)!;
        string error = kill.StandardError.ReadToEnd();
        Assert.True(kill.WaitForExit(TimeSpan.FromSeconds(10)), "kill did not finish");
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {pid}: exit {kill.ExitCode}: {error}");
    }
}
