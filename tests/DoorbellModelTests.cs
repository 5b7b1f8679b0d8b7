using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The doorbell protocol of docs/DOORBELL.md as a Promela model (models/doorbell.pml) under x86-TSO store buffers,
/// checked by spin with no futex timeout: the correct protocol (the sleeper announces a tag of its sleep, the waker
/// skips a tag it already rang, and the producer publishes on two rings) has no lost wake-up and no deadlock, its
/// skip is reachable, and each variant broken on purpose (no re-check S4, no sleeper fence S3, no waker fence W2, a
/// constant announcement with the skip) is caught, so the check can fail. Each variant is checked twice, as
/// models/check.sh does: a safety run (spin's deadlock check and the model's assertions, one of them naming the lost
/// wake-up) and a liveness run (LTL <c>&lt;&gt; (consumed[0] == K &amp;&amp; consumed[1] == K)</c>).
/// spin and gcc are Debian packages that .ci/run installs.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class DoorbellModelTests : IDisposable
{
    /// <summary>How long one run (spin, gcc and pan together) may take; the model checks in well under a second.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    /// <summary>How long a killed program's pipes may take to close.</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(10);

    /// <summary>pan's first error in a safety run when the consumer sleeps on a published entry and nothing wakes it
    /// (the start of the expanded assertion).</summary>
    private const string LostWakeup = "assertion violated  !((asleep&&(((consumed[0]<";

    /// <summary>pan's first error in a safety run when the consumer takes an entry before it was published.</summary>
    private const string Premature = "assertion violated (consumed[r]<published[r])";

    /// <summary>pan's first error in a safety run with -DASSERT_NO_SKIP: the waker skipped a tag it already rang.</summary>
    private const string Skipped = "assertion violated  !(skipped)";

    private readonly string _work = Directory.CreateTempSubdirectory("ring-doorbell-model-").FullName;

    private int _runs;

    private enum Mode
    {
        /// <summary>pan -DSAFETY: invalid end states (deadlock) and assertions.</summary>
        Safety,

        /// <summary>-DLIVENESS, ./pan -a: the LTL property &lt;&gt; (consumed == K).</summary>
        Liveness,
    }

    [Fact]
    public void Model_CorrectProtocol_HasNoLostWakeupOrDeadlock()
    {
        AssertNoErrors();
        // Nor does it lean on the barrier the kernel's futex_wait has of its own.
        AssertNoErrors("-DNO_FUTEX_BARRIER");
    }

    [Fact]
    public void Model_WithoutRecheck_CheckerFindsLostWakeup() => AssertFindsLostWakeup("-DNO_RECHECK");

    [Fact]
    public void Model_WithoutSleeperFence_CheckerFindsLostWakeup() => AssertFindsLostWakeup("-DNO_SLEEPER_FENCE");

    [Fact]
    public void Model_WithoutWakerFence_CheckerFindsLostWakeup() => AssertFindsLostWakeup("-DNO_WAKER_FENCE");

    /// <summary>
    /// The old protocol's sleeper (every sleep announces 1) under the new waker (skip a tag already rung): the
    /// sleeper's next sleep repeats the tag the waker rang last, so the waker skips a sleep nobody rang and the
    /// sleeper sleeps on published items. The tag is what makes the skip safe.
    /// </summary>
    [Fact]
    public void Model_ConstantTagWithSkip_CheckerFindsLostWakeup() => AssertFindsLostWakeup("-DCONSTANT_TAG");

    /// <summary>
    /// A writer that writes generation 1 on every lap: after a wrap, the slot left from the previous lap reads ready,
    /// so the consumer takes an entry before the producer published it. The generation is what tells the laps apart.
    /// </summary>
    [Fact]
    public void Model_ConstantGeneration_CheckerFindsEntryTakenBeforePublished()
    {
        var safety = Check(Mode.Safety, "-DCONSTANT_GENERATION");
        Assert.True(safety.Errors > 0, $"{safety.Name}: expected errors: N>0, got errors: 0: the generation check cannot fail\n{safety.Output}");
        Assert.True(safety.FirstError?.StartsWith(Premature, StringComparison.Ordinal) == true,
            $"{safety.Name}: expected the not-yet-published assertion, got: {safety.FirstError}\n{safety.Output}");
    }

    /// <summary>The control for the constant-tag test: the constant announcement with a waker that never skips (the
    /// old protocol) passes, so what fails there is the skip together with a repeating tag.</summary>
    [Fact]
    public void Model_ConstantTagWithoutSkip_HasNoLostWakeup() => AssertNoErrors("-DCONSTANT_TAG", "-DNO_SKIP");

    /// <summary>
    /// The correct protocol with an assertion that the waker never skips (W3) must fail on that assertion: the skip
    /// branch is reachable, so the passing runs of the correct protocol verify it rather than a dead branch.
    /// </summary>
    [Fact]
    public void Model_SkipReachable_AssertNoSkipVariantFails()
    {
        var safety = Check(Mode.Safety, "-DASSERT_NO_SKIP");
        Assert.True(safety.Errors > 0,
            $"{safety.Name}: expected errors: N>0, got errors: 0: the skip branch is never taken\n{safety.Output}");
        Assert.True(safety.FirstError?.StartsWith(Skipped, StringComparison.Ordinal) == true,
            $"{safety.Name}: expected the no-skip assertion, got: {safety.FirstError}\n{safety.Output}");
    }

    /// <summary>
    /// The control for the two fence tests: with stores going straight to memory (sequential consistency) the
    /// protocol needs neither fence, so what catches the fence variants is the model's store buffers.
    /// </summary>
    [Fact]
    public void Model_WithoutStoreBuffers_NeedsNoFence() =>
        AssertNoErrors("-DSC", "-DNO_SLEEPER_FENCE", "-DNO_WAKER_FENCE");

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }

    private void AssertNoErrors(params string[] defines)
    {
        foreach (var mode in Enum.GetValues<Mode>())
        {
            var run = Check(mode, defines);
            Assert.True(run.Errors == 0, $"{run.Name}: expected errors: 0, got {run.Errors} ({run.FirstError})\n{run.Output}");
            Assert.True(run.States > 0, $"{run.Name}: no state count in pan's output\n{run.Output}");
            Assert.False(Incomplete().IsMatch(run.Output), $"{run.Name}: the search did not cover the state space\n{run.Output}");
        }
    }

    private void AssertFindsLostWakeup(params string[] defines)
    {
        var safety = Check(Mode.Safety, defines);
        Assert.True(safety.Errors > 0, $"{safety.Name}: expected errors: N>0, got errors: 0: the check cannot fail\n{safety.Output}");
        Assert.True(safety.FirstError?.StartsWith(LostWakeup, StringComparison.Ordinal) == true,
            $"{safety.Name}: expected the lost-wake-up assertion, got: {safety.FirstError}\n{safety.Output}");

        var liveness = Check(Mode.Liveness, defines);
        Assert.True(liveness.Errors > 0, $"{liveness.Name}: expected errors: N>0, got errors: 0: the check cannot fail\n{liveness.Output}");
        Assert.True(liveness.FirstError?.StartsWith("acceptance cycle", StringComparison.Ordinal) == true,
            $"{liveness.Name}: expected an acceptance cycle (a run that never consumes all items), got: {liveness.FirstError}\n{liveness.Output}");
    }

    /// <summary>spin -a, gcc and pan for one variant in a fresh directory, as models/check.sh runs them.</summary>
    private PanRun Check(Mode mode, params string[] defines)
    {
        string spin = Require("spin");
        string gcc = Require("gcc");
        string name = $"{(defines.Length == 0 ? "correct" : string.Join(' ', defines))} ({mode.ToString().ToLowerInvariant()} run)";
        string dir = Directory.CreateDirectory(Path.Combine(_work, $"run{++_runs}")).FullName;
        File.Copy(Path.Combine(RepoRoot(), "models", "doorbell.pml"), Path.Combine(dir, "doorbell.pml"));

        var clock = Stopwatch.StartNew();
        var spinArgs = new List<string> { "-a" };
        spinArgs.AddRange(defines);
        if (mode == Mode.Liveness)
            spinArgs.Add("-DLIVENESS");
        spinArgs.Add("doorbell.pml");
        var gccArgs = new List<string> { "-O2", "-w" };
        if (mode == Mode.Safety)
            gccArgs.Add("-DSAFETY");
        gccArgs.AddRange(["-o", "pan", "pan.c"]);
        var panArgs = new List<string> { "-m100000" };
        if (mode == Mode.Liveness)
            panArgs.Add("-a");

        string log = "";
        foreach (var (program, arguments) in new[] { (spin, spinArgs), (gcc, gccArgs), (Path.Combine(dir, "pan"), panArgs) })
        {
            var (exitCode, output) = Run(program, arguments, dir, Deadline - clock.Elapsed, name, log);
            log += $"$ {Path.GetFileName(program)} {string.Join(' ', arguments)}\n{output}";
            Assert.True(exitCode == 0, $"{name}: {Path.GetFileName(program)} exited {exitCode}\n{log}");
        }

        var errors = ErrorCount().Match(log);
        Assert.True(errors.Success, $"{name}: no \"errors: N\" in pan's output\n{log}");
        var states = StateCount().Match(log);
        var first = FirstError().Match(log);
        return new PanRun(name, int.Parse(errors.Groups[1].Value, CultureInfo.InvariantCulture),
            states.Success ? long.Parse(states.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            first.Success ? first.Groups[1].Value : null, log);
    }

    /// <summary>Runs one program to its end within <paramref name="deadline"/>; kills it and fails the test past it.</summary>
    private static (int ExitCode, string Output) Run(string program, List<string> arguments, string dir, TimeSpan deadline,
        string name, string logSoFar)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info);
        Assert.True(process is not null, $"{name}: could not start {program}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        bool exited = process.WaitForExit(deadline > TimeSpan.Zero ? deadline : TimeSpan.Zero);
        if (!exited)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(OutputGrace);
            }
            catch (InvalidOperationException)
            {
                // Exited between the wait and the kill.
            }
        }
        Task.WaitAll([stdout, stderr], OutputGrace);
        string output = (stdout.IsCompleted ? stdout.Result : "(stdout still open)")
            + (stderr.IsCompleted ? stderr.Result : "(stderr still open)");
        Assert.True(exited, $"{name}: {Path.GetFileName(program)} did not finish within {Deadline.TotalSeconds:0} s "
            + $"and was killed\n{logSoFar}$ {Path.GetFileName(program)} {string.Join(' ', arguments)}\n{output}");
        return (process.ExitCode, output);
    }

    private static readonly Lazy<(int ExitCode, string Output)> ToolInstall = new(() =>
        Run("/bin/bash", [Path.Combine(RepoRoot(), "models", "install-tools.sh")], Path.GetTempPath(),
            TimeSpan.FromMinutes(5), "install spin and gcc", ""));

    /// <summary>The full path of <paramref name="tool"/> on PATH, installing spin and gcc once when missing
    /// (models/install-tools.sh); fails the test, never skips, when it is still missing.</summary>
    private static string Require(string tool) => Find(tool) ?? (ToolInstall.Value.ExitCode == 0 ? Find(tool) : null)
        ?? FailMissing(tool, ToolInstall.Value.Output);

    private static string? Find(string tool)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator,
                     StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    private static string FailMissing(string tool, string installOutput)
    {
        Assert.Fail($"{tool} is not installed and models/install-tools.sh could not install it: {installOutput.Trim()}");
        return tool;
    }

    /// <summary>The directory holding Ring.sln, above the test binaries.</summary>
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ring.sln")))
                return dir.FullName;
        }
        Assert.Fail($"no Ring.sln above {AppContext.BaseDirectory}");
        return "";
    }

    [GeneratedRegex(@"errors: (\d+)")]
    private static partial Regex ErrorCount();

    [GeneratedRegex(@"^\s*(\d+) states, stored", RegexOptions.Multiline)]
    private static partial Regex StateCount();

    [GeneratedRegex(@"^pan:1: (.*?) \(at depth \d+\)", RegexOptions.Multiline)]
    private static partial Regex FirstError();

    [GeneratedRegex("max search depth too small|out of memory|search not completed", RegexOptions.IgnoreCase)]
    private static partial Regex Incomplete();

    /// <summary>What one pan run reported: its error count, stored states and first error, and everything printed.</summary>
    private sealed record PanRun(string Name, int Errors, long States, string? FirstError, string Output);
}
