using Ring.Harness.Hosting;
using System.Diagnostics;

namespace Bench;

/// <summary>
/// One of the pair's programs, started from the binaries built beside this one, pinned with taskset, with its
/// standard output and error captured; or, through <see cref="Run"/>, an outside tool (gcc, a reference program).
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private readonly string _commandLine;

    private ChildProcess(string name, Process process, IEnumerable<string> args, Action<string>? onErrorLine = null)
    {
        Name = name;
        _process = process;
        _commandLine = string.Join(' ', args.Prepend(name));
        process.StandardInput.Close();
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = onErrorLine is null ? process.StandardError.ReadToEndAsync() : ReadLines(process.StandardError, onErrorLine);
    }

    /// <summary>Everything <paramref name="reader"/> gives, handing each line to <paramref name="onLine"/> as it arrives.</summary>
    private static async Task<string> ReadLines(StreamReader reader, Action<string> onLine)
    {
        var all = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            onLine(line);
            all.Append(line).Append('\n');
        }
        return all.ToString();
    }

    /// <summary>"consumer" or "producer".</summary>
    public string Name { get; }

    /// <summary>Starts <paramref name="program"/> (Consumer or Producer) with <paramref name="args"/>, on
    /// <paramref name="cpu"/> when given; each line it writes on standard error goes to <paramref name="onErrorLine"/>
    /// as it arrives, when given (its <see cref="Stderr"/> still has them all).</summary>
    public static ChildProcess Start(string program, string? cpu, IEnumerable<string> args, Action<string>? onErrorLine = null)
    {
        string binary = Path.Combine(AppContext.BaseDirectory, program);
        if (!File.Exists(binary))
            throw new RunFailedException($"{binary} not found: build the solution first");
        var info = NewStartInfo();
        if (cpu is null)
        {
            info.FileName = binary;
        }
        else
        {
            info.FileName = "taskset";
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(cpu);
            info.ArgumentList.Add(binary);
        }
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new RunFailedException($"could not start {program}");
        return new ChildProcess(program.ToLowerInvariant(), process, args, onErrorLine);
    }

    /// <summary>Starts <paramref name="program"/> (Consumer or Producer) with <paramref name="args"/> through
    /// <paramref name="launcher"/>, a command that runs the one it is given in its place, as <c>ip netns exec NS</c>
    /// does (the program then has the launcher's pid).</summary>
    public static ChildProcess StartThrough(IReadOnlyList<string> launcher, string program, IEnumerable<string> args)
    {
        string binary = Path.Combine(AppContext.BaseDirectory, program);
        if (!File.Exists(binary))
            throw new RunFailedException($"{binary} not found: build the solution first");
        var info = NewStartInfo();
        info.FileName = launcher[0];
        foreach (string arg in launcher.Skip(1).Append(binary).Concat(args))
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new RunFailedException($"could not start {program}");
        return new ChildProcess(program.ToLowerInvariant(), process, args);
    }

    /// <summary>
    /// Runs <paramref name="file"/> (a path, or a name looked up on PATH) with <paramref name="args"/> to the end and
    /// returns its standard output. Throws <see cref="RunFailedException"/>, with everything it printed, when it
    /// exits non-zero or is still running after <paramref name="timeout"/> (it is then killed).
    /// </summary>
    public static string Run(string file, IEnumerable<string> args, TimeSpan timeout) => RunCapturing(file, args, timeout).Stdout;

    /// <summary><see cref="Run"/>, returning standard error as well (gcc's warnings, say).</summary>
    public static (string Stdout, string Stderr) RunCapturing(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = NewStartInfo();
        info.FileName = file;
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new RunFailedException($"could not start {file}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RunFailedException($"could not start {file}: {e.Message}");
        }
        using var child = new ChildProcess(Path.GetFileName(file), process, args);
        if (!child.WaitUntil(DateTime.UtcNow + timeout))
        {
            child.Kill();
            throw new RunFailedException($"{file} did not finish within {timeout.TotalSeconds:0} s and was killed\n{child.Describe()}");
        }
        if (child.ExitCode != 0)
            throw new RunFailedException($"{file} failed\n{child.Describe()}");
        return (child.Stdout, child.Stderr);
    }

    private static ProcessStartInfo NewStartInfo() => new()
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        RedirectStandardInput = true, // never read; keeps the caller's terminal out of reach
        UseShellExecute = false,
    };

    /// <summary>Whether it is still running.</summary>
    public bool Running => !_process.HasExited;

    /// <summary>Waits until it exits or <paramref name="deadline"/> passes.</summary>
    public bool WaitUntil(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return _process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero);
    }

    /// <summary>
    /// Asks it to stop with SIGTERM (the Ring programs then leave their region cleanly and exit 130) and kills it
    /// when it is still running after <paramref name="grace"/>. No-op once exited.
    /// </summary>
    public void Stop(TimeSpan grace)
    {
        if (!Running)
            return;
        Terminate(grace);
        if (!_process.WaitForExit(grace))
            Kill();
    }

    /// <summary>Asks it to stop with SIGTERM, as a service manager would, and does not wait; no-op once it exited.</summary>
    public void Terminate() => Terminate(TimeSpan.FromSeconds(10));

    private void Terminate(TimeSpan grace)
    {
        if (!Running)
            return;
        try
        {
            // Its output captured: when the program exits just before, kill's "No such process" is not bench's to print.
            var info = NewStartInfo();
            info.FileName = "kill";
            info.ArgumentList.Add("-TERM");
            info.ArgumentList.Add(_process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var kill = Process.Start(info);
            kill?.WaitForExit(grace);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No kill(1): the caller falls back to SIGKILL.
        }
    }

    /// <summary>Kills it and everything it started.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Its process id: for /proc/&lt;pid&gt;/status (taskset runs the program in its own place).</summary>
    public int Id => _process.Id;

    /// <summary>Exit code (after it exited).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything it printed on standard output.</summary>
    public string Stdout => _stdout.Result;

    /// <summary>Everything it printed on standard error.</summary>
    public string Stderr => _stderr.Result;

    /// <summary>Its command line, exit code and everything it printed (after it exited or was killed), for an error message.</summary>
    public string Describe()
    {
        bool closed = Task.WaitAll([_stdout, _stderr], TimeSpan.FromSeconds(5));
        string Text(Task<string> output) => closed || output.IsCompleted ? output.Result.TrimEnd() : "(pipe still open)";
        return $"{_commandLine}: {(_process.HasExited ? $"exit {_process.ExitCode}" : "still running")}\n"
            + $"  stdout: {Text(_stdout)}\n  stderr: {Text(_stderr)}";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Running)
            Kill();
        _process.Dispose();
    }
}
