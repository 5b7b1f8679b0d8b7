using Ring.Rings;

namespace Ring.Harness.Hosting;

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
