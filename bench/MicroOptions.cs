using CommandLine;
using CommandLine.Text;

namespace Bench;

/// <summary>Options of <c>bench micro</c>: BenchmarkDotNet on one burst of the hot path, in this process.</summary>
[Verb("micro", HelpText = "BenchmarkDotNet micro-benchmark of one RX and one TX burst, both sides on one thread (ns per packet, bytes allocated).")]
public sealed class MicroOptions
{
    [Option("filter", Default = "*", HelpText = "BenchmarkDotNet filter (glob on the benchmark name), like *Rx*.")]
    public string Filter { get; set; } = "*";

    [Option("out", Default = "results", HelpText = "Folder for BenchmarkDotNet's artifacts (reports), under <out>/micro.")]
    public string Out { get; set; } = "results";

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "bench")]
    public static IEnumerable<Example> Examples =>
    [
        new("Only the RX burst", new UnParserSettings { SkipDefault = true },
            new MicroOptions { Filter = "*Rx*" }),
    ];
}
