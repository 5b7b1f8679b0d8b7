using Bench;
using Ring.Harness.Net;
using Ring.Tests.Support;
using Xunit.Abstractions;

namespace Ring.Tests;

/// <summary>
/// <c>bench ping-demo</c> as a user runs it: every ping answered on both paths with the JSON line the issue names,
/// and nothing left behind, neither after a clean run nor after Ctrl-C in the middle (exit 130). Skipped, with the
/// reason, where this process may not create namespaces. Nothing here asserts a speed: the box is small and shared.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PingDemoTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly ProgramRunner _runner = new();

    [SkippableTheory]
    [InlineData("poll")]
    [InlineData("event")]
    [InlineData("hybrid")]
    public void PingDemo_Count100Json_AnswersAllThroughTheRingAndOnTheVethAndLeavesNothing(string mode)
    {
        NetTools.SkipUnlessNamespaces();
        var bench = _runner.Start("bench", "ping-demo", "--mode", mode, "--count", "100", "--json");

        var result = _runner.WaitAll(Deadline, bench)[0];

        output.WriteLine(result.Stdout);
        Assert.True(result.ExitCode == 0, result.ToString());
        string json = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        foreach (string key in new[] { "transmitted", "received", "loss_pct", "rtt_avg_us", "veth_rtt_avg_us" })
            Assert.Contains($"\"{key}\":", json);
        var demo = PingDemoResult.FromJson(json)!;
        Assert.Equal("ring", demo.Path);
        Assert.Equal(mode, demo.Mode);
        Assert.Equal(100, demo.Transmitted);
        Assert.Equal(100, demo.Received);
        Assert.Equal(0, demo.LossPct);
        Assert.Equal(100, demo.VethReceived);
        Assert.True(demo.RttAvgUs > 0 && demo.VethRttAvgUs > 0, json);
        Assert.StartsWith("replied 10", demo.Guest); // an ARP reply or two, and the 100 echo replies
        Assert.Empty(NamespacesOf(bench.Pid));
        Assert.Empty(PairProcessesOf(bench.Pid));
        Assert.Empty(Directory.GetFiles("/dev/shm", $"ring-ping-demo-{bench.Pid}*")); // neither socket nor lock file
    }

    [SkippableFact]
    public void PingDemo_Flood_ReportsRepliesPerSecondOnBothPaths()
    {
        NetTools.SkipUnlessNamespaces();
        var bench = _runner.Start("bench", "ping-demo", "--mode", "event", "--flood", "--count", "2000", "--json");

        var result = _runner.WaitAll(Deadline, bench)[0];

        output.WriteLine(result.Stdout);
        Assert.True(result.ExitCode == 0, result.ToString());
        var demo = PingDemoResult.FromJson(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1])!;
        Assert.True(demo.Flood);
        Assert.Equal(2000, demo.Received);
        Assert.True(demo.FloodPps > 0 && demo.VethFloodPps > 0, result.Stdout);
    }

    [SkippableFact]
    public void PingDemo_CtrlCDuringPing_DeletesItsNamespacesAndExits130()
    {
        NetTools.SkipUnlessNamespaces();
        var bench = _runner.Start("bench", "ping-demo", "--count", "100000");
        _runner.WaitUntil(() => NamespacesOf(bench.Pid).Length > 0 && PingsRunning() > 0, "its namespace and ping are up",
            Deadline, bench);

        NetTools.Run("kill", "-INT", bench.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = _runner.WaitAll(Deadline, bench)[0];

        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Contains("interrupted", result.Stderr);
        Assert.Empty(NamespacesOf(bench.Pid));
        Assert.Equal(0, PingsRunning());
        Assert.Empty(PairProcessesOf(bench.Pid));
        Assert.Empty(Directory.GetFiles("/dev/shm", $"ring-ping-demo-{bench.Pid}*")); // neither socket nor lock file
    }

    [Theory]
    [InlineData("--size", "8973", "--size must be 0..8972")]
    [InlineData("--count", "0", "--count must be 1..1000000")]
    [InlineData("--mode", "spin", "unknown --mode 'spin'")]
    public void PingDemo_BadOption_ExitsUsageWithOneLine(string option, string value, string message)
    {
        var result = _runner.Run("bench", "ping-demo", option, value);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.Stderr);
    }

    public void Dispose() => _runner.Dispose();

    /// <summary>The namespaces named for <paramref name="pid"/> (<c>ring-PID-XXXX</c>).</summary>
    private static string[] NamespacesOf(int pid) =>
        Directory.Exists(NetworkNamespace.NamedDirectory)
            ? Directory.GetFiles(NetworkNamespace.NamedDirectory, $"ring-{pid}-*")
            : [];

    /// <summary>The Consumer and Producer a ping-demo run started (their region is <c>ping-demo-PID</c>), still running.</summary>
    private static int[] PairProcessesOf(int pid) => [.. Directory.GetDirectories("/proc").Where(dir =>
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Contains($"--region ping-demo-{pid} ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }).Select(dir => int.TryParse(Path.GetFileName(dir), out int p) ? p : 0)];

    /// <summary>ping processes at the demo's guest address (10.77.0.2 with -c 100000), whoever started them.</summary>
    private static int PingsRunning() => Directory.GetDirectories("/proc").Count(dir =>
    {
        try
        {
            string commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            return commandLine.StartsWith("ping ", StringComparison.Ordinal) && commandLine.Contains("100000") && commandLine.Contains("10.77.0.2");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    });
}
