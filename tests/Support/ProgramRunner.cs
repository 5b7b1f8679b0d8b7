using System.Globalization;
using System.Diagnostics;
using System.Text;
using Ring.Harness.Hosting;
using Ring.Harness.Net;
using Ring.Region;

namespace Ring.Tests.Support;

/// <summary>
/// One test's scope for the real Consumer and Producer binaries (their apphosts land beside the tests): a region
/// name no other test uses, the programs started on it, and waits with a deadline. A program still running at its
/// deadline is killed with its process tree and the test fails with everything each program printed. Disposing
/// kills whatever is still running and deletes every file of the region (its socket and lock file, whatever a test
/// put at the path), so a failed or killed run leaves nothing in /dev/shm. Programs are not pinned: the scheduler shares the cores.
/// </summary>
internal sealed class ProgramRunner : IDisposable
{
    /// <summary>How long a program may run when the test gives no deadline.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    /// <summary>How long a killed program's pipes may take to close.</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(10);

    private readonly List<Child> _children = [];

    /// <summary>The <c>--region</c> name for this test: "t-" and 10 hex digits.</summary>
    public string Region { get; } = $"t-{Guid.NewGuid():N}"[..12];

    /// <summary>The path of <see cref="Region"/>: the guest's control socket once the consumer created the region.</summary>
    public string RegionFile => Path.Combine("/dev/shm", "ring-" + Region);

    /// <summary>Starts <paramref name="program"/> ("Consumer" or "Producer") with <paramref name="arguments"/>.</summary>
    public Child Start(string program, params string[] arguments) =>
        Launch(program, arguments, binary => (binary, [binary, .. arguments]));

    /// <summary>
    /// Starts <paramref name="program"/> under coreutils' <c>timeout</c>, which kills it with SIGKILL after
    /// <paramref name="after"/>: a death nothing in the program can see coming or answer.
    /// </summary>
    public Child StartKilledAfter(TimeSpan after, string program, params string[] arguments) =>
        Launch(program, arguments, binary => ("timeout", ["timeout", "--signal=KILL", Seconds(after), binary, .. arguments]));

    /// <summary>
    /// Starts <paramref name="program"/> under a shell that stops it with SIGSTOP after <paramref name="runFor"/> and
    /// continues it with SIGCONT <paramref name="stopFor"/> later, as a debugger or a long GC pause would hold it. The
    /// shell, its parent, sends both signals: signals the test process sends itself do not always arrive here.
    /// </summary>
    public Child StartPausedAfter(TimeSpan runFor, TimeSpan stopFor, string program, params string[] arguments)
    {
        string script = $"\"$0\" \"$@\" & p=$!; sleep {Seconds(runFor)}; kill -STOP $p; echo \"{program}: test: stopped\" >&2; "
            + $"sleep {Seconds(stopFor)}; kill -CONT $p; wait $p";
        return Launch(program, arguments, binary => ("bash", ["bash", "-c", script, binary, .. arguments]));
    }

    /// <summary>Starts <paramref name="program"/> inside <paramref name="ns"/> (<c>ip netns exec</c>, which runs it in its
    /// own place, so the child's pid is the program's).</summary>
    public Child StartInside(NetworkNamespace ns, string program, params string[] arguments) =>
        Launch(program, arguments, binary => (NetTools.Require("ip"), ["ip", .. ns.ExecArguments([binary, .. arguments])]));

    /// <summary>Starts the command <paramref name="command"/> makes of the program's binary (the file to run, then its
    /// argv with argv[0] first, which is not passed) and tracks it as <paramref name="program"/>.</summary>
    private Child Launch(string program, string[] arguments, Func<string, (string File, string[] Argv)> command)
    {
        string binary = Path.Combine(AppContext.BaseDirectory, program);
        Assert.True(File.Exists(binary), $"{binary} not found: the test project references the program, build it");
        var (file, argv) = command(binary);
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // a program never reads it; the test runner's stdin stays out of reach
            UseShellExecute = false,
        };
        foreach (string argument in argv.Skip(1))
            info.ArgumentList.Add(argument);
        var process = Process.Start(info);
        Assert.True(process is not null, $"could not start {string.Join(' ', argv)}");
        var child = new Child(program, arguments, process);
        _children.Add(child);
        return child;
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>Starts <paramref name="program"/> and waits for it (up to <see cref="DefaultDeadline"/>).</summary>
    public Result Run(string program, params string[] arguments) => WaitAll(DefaultDeadline, Start(program, arguments))[0];

    /// <summary>
    /// Waits for every one of <paramref name="children"/> to exit within <paramref name="deadline"/> (shared, from
    /// now). When one does not, kills them all and fails with what each printed.
    /// </summary>
    public Result[] WaitAll(TimeSpan deadline, params Child[] children)
    {
        var clock = Stopwatch.StartNew();
        bool finished = children.All(c => c.WaitForExit(Remaining(deadline, clock)));
        if (!finished)
        {
            var late = children.Where(c => !c.HasExited).Select(c => c.Program).ToList();
            foreach (var child in children)
                child.Kill();
            Assert.Fail($"{string.Join(" and ", late)} did not exit within {deadline.TotalSeconds:0} s and "
                + $"{(late.Count == 1 ? "was" : "were")} killed\n{Describe(children.Select(c => c.Collect()))}");
        }
        return children.Select(c => c.Collect()).ToArray();
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds. Fails, with what each of <paramref name="watched"/> printed,
    /// when <paramref name="deadline"/> passes or one of them exits first (the condition can then never hold).
    /// </summary>
    public void WaitUntil(Func<bool> condition, string what, TimeSpan deadline, params Child[] watched)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            var gone = watched.FirstOrDefault(c => c.HasExited);
            if (gone is not null || clock.Elapsed > deadline)
            {
                string why = gone is not null ? $"{gone.Program} exited" : $"{deadline.TotalSeconds:0} s passed";
                foreach (var child in watched)
                    child.Kill();
                Assert.Fail($"{why} before {what}\n{Describe(watched.Select(c => c.Collect()))}");
            }
            Thread.Sleep(10);
        }
    }

    /// <summary>Waits until the consumer's guest answers on the region's socket: an observer can open the region.</summary>
    public void WaitForRegion(Child consumer, TimeSpan deadline) =>
        WaitUntil(() => RegionWatch.StateOf(RegionFile) is not null, $"the guest answered on {RegionFile}", deadline, consumer);

    /// <summary>The files of this test's region still in /dev/shm: the socket, its lock file, anything a test put there.</summary>
    public IReadOnlyList<string> FilesLeft() =>
        [.. Directory.EnumerateFiles(Path.GetDirectoryName(RegionFile)!, Path.GetFileName(RegionFile) + "*").Order()];

    /// <summary>Every program's command line, exit code and output, for a failure message.</summary>
    public static string Describe(IEnumerable<Result> results) => string.Join("\n", results);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var child in _children)
        {
            child.Kill();
            child.Dispose();
        }
        foreach (string file in FilesLeft())
            File.Delete(file);
    }

    private static TimeSpan Remaining(TimeSpan deadline, Stopwatch clock)
    {
        var left = deadline - clock.Elapsed;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>One started program; its output is read as it comes, so a full pipe never blocks it.</summary>
    public sealed class Child : IDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _stdout;
        private readonly Task<string> _stderr;

        internal Child(string program, IReadOnlyList<string> arguments, Process process)
        {
            Program = program;
            Arguments = arguments;
            _process = process;
            _process.StandardInput.Close();
            _stdout = process.StandardOutput.ReadToEndAsync();
            _stderr = process.StandardError.ReadToEndAsync();
        }

        /// <summary>"Consumer" or "Producer".</summary>
        public string Program { get; }

        /// <summary>The arguments it was started with.</summary>
        public IReadOnlyList<string> Arguments { get; }

        /// <summary>Its process id.</summary>
        public int Pid => _process.Id;

        /// <summary>Whether it has exited.</summary>
        public bool HasExited => _process.HasExited;

        /// <summary>Waits up to <paramref name="timeout"/>; true when it exited.</summary>
        public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

        /// <summary>Asks it to stop with SIGTERM, as a user or a service manager would.</summary>
        public void Terminate()
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        /// <summary>Kills it and everything it started with SIGKILL, and waits until it is reaped. No-op once exited.</summary>
        public void Kill()
        {
            try
            {
                if (_process.HasExited)
                    return;
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(OutputGrace);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
        }

        /// <summary>Its exit code and output; call after it exited.</summary>
        public Result Collect()
        {
            bool closed = Task.WaitAll([_stdout, _stderr], OutputGrace);
            return new Result(this.ToString(), _process.HasExited ? _process.ExitCode : null,
                closed || _stdout.IsCompleted ? _stdout.Result : "(pipe still open)",
                closed || _stderr.IsCompleted ? _stderr.Result : "(pipe still open)");
        }

        /// <summary>The command line, as a shell would show it.</summary>
        public override string ToString() => string.Join(' ', Arguments.Prepend(Program));

        /// <inheritdoc />
        public void Dispose() => _process.Dispose();
    }

    /// <summary>How a program ended: its command line, exit code (null: still running) and everything it printed.</summary>
    public sealed record Result(string CommandLine, int? ExitCode, string Stdout, string Stderr)
    {
        /// <summary>The JSON summary on the last line of standard output (<c>--json</c>); fails the test without one.</summary>
        public RunSummary Summary()
        {
            string? last = Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .LastOrDefault();
            Assert.True(last is not null && last.StartsWith('{'), $"no JSON summary on the last line\n{this}");
            var summary = RunSummary.FromJson(last);
            Assert.True(summary is not null, $"empty JSON summary\n{this}");
            return summary;
        }

        /// <inheritdoc />
        public override string ToString()
        {
            var text = new StringBuilder()
                .Append(CommandLine).Append(": ").AppendLine(ExitCode is { } code ? $"exit {code}" : "still running")
                .Append("  stdout: ").AppendLine(Stdout.Length == 0 ? "(empty)" : Stdout.TrimEnd())
                .Append("  stderr: ").Append(Stderr.Length == 0 ? "(empty)" : Stderr.TrimEnd());
            return text.ToString();
        }
    }
}
