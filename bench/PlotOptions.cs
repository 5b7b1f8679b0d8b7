using CommandLine;
using CommandLine.Text;

namespace Bench;

/// <summary>Options of <c>bench plot</c>: redraws a sweep's pictures from its sweep.json, without measuring again.</summary>
[Verb("plot", HelpText = "Redraw latency.png and cpu.png of a sweep from its sweep.json.")]
public sealed class PlotOptions
{
    [Value(0, MetaName = "folder", Required = true, HelpText = "The sweep's results folder (results/<stamp>), holding sweep.json.")]
    public string Folder { get; set; } = "";

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "bench")]
    public static IEnumerable<Example> Examples =>
    [
        new("Redraw the pictures of one sweep", new UnParserSettings { SkipDefault = true },
            new PlotOptions { Folder = "results/20260611-120000" }),
    ];
}
