namespace Ring.Harness.Hosting;

/// <summary>
/// Runs a program's body and turns every failure into one line on standard error and an exit code from
/// <see cref="ExitCodes"/>: no stack traces reach the user.
/// </summary>
public static class ProgramShell
{
    /// <summary>Runs <paramref name="body"/>; <paramref name="name"/> prefixes error lines.</summary>
    public static int Run(string name, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            var (code, message) = Describe(e);
            Console.Error.WriteLine($"{name}: {message}");
            return code;
        }
    }

    /// <summary>The exit code and one-line message for <paramref name="error"/>.</summary>
    public static (int Code, string Message) Describe(Exception error) => error switch
    {
        ArgumentException e => (ExitCodes.Usage, e is ArgumentOutOfRangeException range ? OneLine(range) : e.Message),
        RingException e => (ExitCodes.For(e.Reason), e.Message),
        RunFailedException e => (e.ExitCode, e.Message),
        Net.NetDeviceException or Net.PcapFormatException => (ExitCodes.Failure, error.Message),
        OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
        AggregateException { InnerExceptions.Count: 1 } e => Describe(e.InnerExceptions[0]),
        _ => (ExitCodes.Failure, $"unexpected {error.GetType().Name}: {error.Message}"),
    };

    /// <summary>An out-of-range argument's message without the "(Parameter ...)" and "Actual value" lines .NET appends.</summary>
    private static string OneLine(ArgumentOutOfRangeException e) =>
        e.Message.Split('\n')[0].Replace($" (Parameter '{e.ParamName}')", "").TrimEnd();
}
