using CommandLine;

namespace Bench;

/// <summary>Options of <c>bench refs</c>: the reference programs beside Ring's own figures.</summary>
[Verb("refs", HelpText = "Build and run the reference programs (lean.c, floor.c, memif.sh) and Ring's pair and rtt; print the ratios.")]
public sealed class RefsOptions
{
    [Option("size", Default = 64, HelpText = "Packet size in bytes, for lean.c, memif and Ring's pair.")]
    public int Size { get; set; } = 64;

    [Option("cpus", Default = "0,1", HelpText = "Cores for Ring's consumer and producer (taskset); empty: no pinning. The reference programs pin themselves to 0 and 1.")]
    public string Cpus { get; set; } = "0,1";

    [Option("json", HelpText = "End with one JSON object on the last line.")]
    public bool Json { get; set; }
}
