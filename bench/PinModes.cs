namespace Bench;

/// <summary>
/// How <c>--cpus</c> places the two programs: <see cref="Process"/> pins each whole program (every thread, the
/// runtime's too) to its core with taskset; <see cref="Poll"/> lets each program run on both cores and pins only its
/// poll thread, with the program's own <c>--cpu</c>, so the runtime's threads run on the other core.
/// </summary>
internal static class PinModes
{
    /// <summary>taskset -c CORE: the whole program on one core.</summary>
    public const string Process = "process";

    /// <summary>taskset -c BOTH, and --cpu CORE: the poll thread alone on its core.</summary>
    public const string Poll = "poll";

    /// <summary>Throws <see cref="ArgumentException"/> with one line for anything but the two modes.</summary>
    public static void Validate(string pin)
    {
        if (pin is not (Process or Poll))
            throw new ArgumentException($"--pin takes {Process} or {Poll}, not '{pin}'");
    }
}
