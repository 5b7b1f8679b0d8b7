using System.Diagnostics;

namespace Bench;

/// <summary>
/// One of the pair's programs, started from the binaries built beside this one, pinned with taskset, with its
/// standard output and error captured.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>"consumer" or "producer".</summary>
    public string Name { get; }

    /// <summary>Starts <paramref name="program"/> (Consumer or Producer) with <paramref name="args"/>, on
    /// <paramref name="cpu"/> when given.</summary>
    public static ChildProcess Start(string program, string? cpu, IEnumerable<string> args)
    {
        string binary = Path.Combine(AppContext.BaseDirectory, program);
        if (!File.Exists(binary))
            throw new Ring.RingException($"{binary} not found: build the solution first");
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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
        var process = Process.Start(info) ?? throw new Ring.RingException($"could not start {program}");
        return new ChildProcess(program.ToLowerInvariant(), process);
    }

    /// <summary>Whether it is still running.</summary>
    public bool Running => !_process.HasExited;

    /// <summary>Waits until it exits or <paramref name="deadline"/> passes.</summary>
    public bool WaitUntil(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return _process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero);
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

    /// <summary>Exit code (after it exited).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything it printed on standard output.</summary>
    public string Stdout => _stdout.Result;

    /// <summary>Everything it printed on standard error.</summary>
    public string Stderr => _stderr.Result;

    /// <inheritdoc />
    public void Dispose()
    {
        if (Running)
            Kill();
        _process.Dispose();
    }
}
