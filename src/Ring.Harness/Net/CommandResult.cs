namespace Ring.Harness.Net;

/// <summary>How a command ended and everything it printed.</summary>
/// <param name="CommandLine">The command as run, for messages.</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Stdout">Everything it printed on standard output.</param>
/// <param name="Stderr">Everything it printed on standard error.</param>
public sealed record CommandResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The first non-empty line of standard error, else of standard output, else the exit code: what went wrong.</summary>
    public string FirstErrorLine =>
        (Stderr + "\n" + Stdout).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? $"exit code {ExitCode}";
}
