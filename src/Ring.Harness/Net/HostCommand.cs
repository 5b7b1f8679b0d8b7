using System.ComponentModel;
using System.Diagnostics;

namespace Ring.Harness.Net;

/// <summary>Runs a host tool (ip, ping, tshark) to its end with a deadline, capturing what it prints.</summary>
public static class HostCommand
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/>. Kills it (with its children) and throws
    /// <see cref="NetworkSetupException"/> when it outlives <paramref name="timeout"/>, or
    /// <see cref="OperationCanceledException"/> when <paramref name="cancel"/> fires first; throws
    /// <see cref="NetworkSetupException"/> when it is not installed.
    /// </summary>
    public static CommandResult Run(string file, IEnumerable<string> args, TimeSpan timeout, CancellationToken cancel = default)
    {
        using var process = Start(file, args, out string commandLine);
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        try
        {
            process.WaitForExitAsync(deadline.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            cancel.ThrowIfCancellationRequested();
            throw new NetworkSetupException($"{commandLine}: still running after {timeout.TotalSeconds:0.#} s, killed");
        }
        return new CommandResult(commandLine, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary><see cref="Run"/>, and a <see cref="NetworkSetupException"/> naming the command and its first error
    /// line when it exits non-zero.</summary>
    public static CommandResult Check(string file, IEnumerable<string> args, TimeSpan timeout, CancellationToken cancel = default)
    {
        var result = Run(file, args, timeout, cancel);
        return result.ExitCode == 0 ? result : throw new NetworkSetupException($"{result.CommandLine}: {result.FirstErrorLine}");
    }

    /// <summary>Starts <paramref name="file"/> with its output redirected and its standard input closed.</summary>
    public static Process Start(string file, IEnumerable<string> args, out string commandLine)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // closed below: a tool never waits on the caller's terminal
            UseShellExecute = false,
        };
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        commandLine = string.Join(' ', info.ArgumentList.Prepend(file));
        try
        {
            var process = Process.Start(info) ?? throw new NetworkSetupException($"{commandLine}: could not start");
            process.StandardInput.Close();
            return process;
        }
        catch (Win32Exception e)
        {
            throw new NetworkSetupException($"{commandLine}: cannot run {file}: {e.Message}");
        }
    }

    /// <summary>Kills <paramref name="process"/> and its children, if still running, and waits a little for it.</summary>
    public static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
