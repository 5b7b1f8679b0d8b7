using Ring.Rings;

namespace Ring.Hosting;

/// <summary>Exit codes of the Ring programs.</summary>
public static class ExitCodes
{
    /// <summary>The run finished and every packet checked out.</summary>
    public const int Ok = 0;
    /// <summary>A runtime failure: missing or foreign region, dead peer, protocol violation, timeout.</summary>
    public const int Failure = 1;
    /// <summary>Bad arguments.</summary>
    public const int Usage = 2;
    /// <summary>The run finished but packets were bad, missing or dropped.</summary>
    public const int VerificationFailed = 3;
    /// <summary>Interrupted by SIGINT or SIGTERM.</summary>
    public const int Interrupted = 130;
}

/// <summary>
/// Runs a program's body and turns every failure into one line on standard error and an exit code: no stack
/// traces reach the user.
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
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{name}: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (RingProtocolException e)
        {
            Console.Error.WriteLine($"{name}: protocol violation: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (RingException e)
        {
            Console.Error.WriteLine($"{name}: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"{name}: interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{name}: unexpected {e.GetType().Name}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
