using Ring.Harness.Hosting;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The wait-mode options of the real programs (<c>--mode</c>, <c>--poll-us</c>, <c>--coalesce-frames</c>,
/// <c>--coalesce-usecs</c>, <c>--pause-chance</c>, <c>--pause-us</c>): a bad value or a combination that makes no
/// sense ends with exit code 2 and exactly one line on standard error naming the option, before any region is
/// created, and never a stack trace.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ModeOptionTests : IDisposable
{
    private readonly ProgramRunner _runner = new();

    public static TheoryData<string, string[], string> BadModeOptions => new()
    {
        { "Consumer", ["--mode", "poll", "--poll-us", "10"], "applies only to --mode hybrid" },
        { "Producer", ["--mode", "event", "--poll-us", "10"], "applies only to --mode hybrid" },
        { "Consumer", ["--mode", "sideways"], "unknown --mode" },
        { "Producer", ["--mode", "sideways"], "unknown --mode" },
        { "Producer", ["--poll-us", "-5", "--mode", "hybrid"], "--poll-us" },
        { "Producer", ["--coalesce-frames", "-1"], "--coalesce-frames" },
        { "Producer", ["--coalesce-usecs", "-3"], "--coalesce-usecs" },
        { "Consumer", ["--pause-chance", "2"], "--pause-chance" },
        { "Producer", ["--pause-us", "-1"], "--pause-us" },
    };

    [Theory]
    [MemberData(nameof(BadModeOptions))]
    public void Program_BadModeOption_ExitsUsageWithOneLine(string program, string[] arguments, string phrase)
    {
        var result = _runner.Run(program, [.. arguments, "--region", _runner.Region]);

        AssertFailedWithOneLine(result, program, ExitCodes.Usage, phrase);
        Assert.True(_runner.FilesLeft().Count == 0, $"a rejected command line created {string.Join(", ", _runner.FilesLeft())}\n{result}");
    }

    [Fact]
    public void Consumer_HybridModeWithPollUs_PassesTheOptionChecks()
    {
        var result = _runner.Run("Consumer", "--region", _runner.Region, "--mode", "hybrid", "--poll-us", "10",
            "--attach-timeout", "1");

        // Accepted: it created the region and waited for a producer that never came.
        AssertFailedWithOneLine(result, "Consumer", ExitCodes.Failure, "timed out");
    }

    public void Dispose() => _runner.Dispose();

    private static void AssertFailedWithOneLine(ProgramRunner.Result result, string program, int exitCode, string phrase)
    {
        Assert.True(result.ExitCode == exitCode, $"exit code {result.ExitCode}, expected {exitCode}\n{result}");
        string error = result.Stderr.TrimEnd('\n');
        Assert.True(error.Trim().Length > 0 && !error.Contains('\n'), $"stderr is not exactly one non-empty line\n{result}");
        Assert.True(error.StartsWith(program.ToLowerInvariant() + ": ", StringComparison.Ordinal)
            && error.Contains(phrase, StringComparison.Ordinal), $"stderr does not say '{phrase}'\n{result}");
        AssertNoStackTrace(result);
    }

    private static void AssertNoStackTrace(ProgramRunner.Result result) =>
        Assert.False(result.Stdout.Contains("   at ", StringComparison.Ordinal)
            || result.Stderr.Contains("   at ", StringComparison.Ordinal), $"a stack trace was printed\n{result}");
}
