using CommandLine;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary>The options of the verbs that run one reconnecting Consumer and a sequence of producers (<c>kills</c>,
/// <c>soak</c>): where they run, the region and the output format.</summary>
public abstract class ReconnectOptions
{
    [Option("cpus", Default = "0,1", HelpText = "Cores for the consumer and the producers (taskset); empty: no pinning.")]
    public string Cpus { get; set; } = "0,1";

    [Option("region", HelpText = "Region name (default: <verb>-<pid>).")]
    public string? Region { get; set; }

    [Option("json", HelpText = "End with one JSON object on the last line.")]
    public bool Json { get; set; }

    /// <summary>The region to use: <c>--region</c>, else one private to this run.</summary>
    public string RegionOrDefault(string verb) => Region ?? $"{verb}-{Environment.ProcessId}";

    /// <summary>Prints the verb's <paramref name="table"/>, then its <paramref name="json"/> with <c>--json</c>; returns
    /// the exit code: 0 when <paramref name="clean"/>, else 3 (verification failed).</summary>
    public int Print(string table, Func<string> json, bool clean)
    {
        Console.WriteLine(table);
        if (Json)
            Console.WriteLine(json());
        return clean ? ExitCodes.Ok : ExitCodes.VerificationFailed;
    }
}
