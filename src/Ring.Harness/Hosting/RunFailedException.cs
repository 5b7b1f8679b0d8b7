namespace Ring.Harness.Hosting;

/// <summary>A program or bench step failed for a reason that is not the transport's (a stall, a child process that
/// failed, a reference program that would not build), with the exit code to report and a one-line message.</summary>
public sealed class RunFailedException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    /// <summary>The exit code to report.</summary>
    public int ExitCode { get; } = exitCode;
}
