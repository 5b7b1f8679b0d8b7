namespace Ring.Tests.Support;

/// <summary>What every failing run of a real program must look like: the documented exit code, exactly one line on
/// standard error that starts with the program's name and names the problem, and no stack trace anywhere.</summary>
internal static class ProgramAssert
{
    /// <summary>Asserts <paramref name="result"/> exited <paramref name="exitCode"/> with one line on stderr,
    /// "<paramref name="program"/>: ...", containing <paramref name="phrase"/>.</summary>
    public static void FailedWithOneLine(ProgramRunner.Result result, string program, int exitCode, string phrase)
    {
        Assert.True(result.ExitCode == exitCode, $"exit code {result.ExitCode}, expected {exitCode}\n{result}");
        string error = result.Stderr.TrimEnd('\n');
        Assert.True(error.Trim().Length > 0 && !error.Contains('\n'), $"stderr is not exactly one non-empty line\n{result}");
        Assert.True(error.StartsWith(program.ToLowerInvariant() + ": ", StringComparison.Ordinal)
            && error.Contains(phrase, StringComparison.Ordinal), $"stderr does not say '{phrase}'\n{result}");
        NoStackTrace(result);
    }

    /// <summary>Asserts nothing <paramref name="result"/> printed is a stack trace.</summary>
    public static void NoStackTrace(ProgramRunner.Result result) =>
        Assert.False(result.Stdout.Contains("   at ", StringComparison.Ordinal)
            || result.Stderr.Contains("   at ", StringComparison.Ordinal), $"a stack trace was printed\n{result}");
}
