using Ring.Harness.Hosting;
using Ring;

namespace Bench;

/// <summary>
/// The project's own C baselines, <c>bench/c/cring.c</c> (a bare C ring of Ring's v2 design and geometry) and
/// <c>bench/c/floors.c</c> (the spin and futex round-trip floors). Their sources are embedded in this program, so
/// they build in any clone, with no <c>../shared</c> beside it: written into a temporary folder, built there with
/// <c>gcc -O2 -Wall -Wextra</c>, run from there, and deleted on dispose.
/// </summary>
internal sealed class BaselinePrograms : IDisposable
{
    /// <summary>The C ring.</summary>
    public const string Cring = "cring";

    /// <summary>The round-trip floors.</summary>
    public const string Floors = "floors";

    private readonly CProgramFolder _folder;

    private BaselinePrograms(CProgramFolder folder, string warnings)
    {
        _folder = folder;
        Warnings = warnings;
    }

    /// <summary>The temporary folder the programs were built into.</summary>
    public string Folder => _folder.Folder;

    /// <summary>What gcc warned about while building them: empty, as the sources are kept.</summary>
    public string Warnings { get; }

    /// <summary>Builds both programs; throws <see cref="RunFailedException"/> when gcc fails.</summary>
    public static BaselinePrograms Build()
    {
        var folder = CProgramFolder.Create();
        try
        {
            string warnings = "";
            foreach (string name in new[] { Cring, Floors })
            {
                string source = Path.Combine(folder.Folder, name + ".c");
                WriteSource(name + ".c", source);
                warnings += folder.Build(source, name, "-Wall", "-Wextra");
            }
            return new BaselinePrograms(folder, warnings);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <c>cring --direction DIRECTION --size SIZE --seconds SECONDS --stride STRIDE [--cpus CPUS]</c>: the C ring's
    /// rate, Mpps. Throws <see cref="RunFailedException"/> when it fails or counts a bad packet (it then exits 1).
    /// </summary>
    /// <param name="direction">rx or tx.</param>
    /// <param name="size">Packet size in bytes.</param>
    /// <param name="seconds">How long the sender sends.</param>
    /// <param name="stride">Bytes between the pool's buffers.</param>
    /// <param name="cpus">The guest's and the device's core, like "0,1"; empty: cring's own default (0,1).</param>
    public double RunCring(string direction, int size, double seconds, int stride, string cpus)
    {
        string[] args = ["--direction", direction, "--size", CProgramFolder.Invariant(size),
            "--seconds", CProgramFolder.Invariant(seconds), "--stride", CProgramFolder.Invariant(stride), .. CpuArgs(cpus)];
        return CProgramFolder.Figure(Run(Cring, args, TimeSpan.FromSeconds(seconds + 60)), "Mpps");
    }

    /// <summary><c>floors MODE COUNT [--cpus CPUS]</c> (spin or futex): the mean round trip, ns.</summary>
    public double RunFloor(string mode, int count, string cpus) =>
        CProgramFolder.Figure(Run(Floors, [mode, CProgramFolder.Invariant(count), .. CpuArgs(cpus)], CProgramFolder.RunTimeout), "rtt_ns");

    /// <summary>Runs <paramref name="program"/> (<see cref="Cring"/> or <see cref="Floors"/>) with
    /// <paramref name="args"/> and returns what it printed.</summary>
    public string Run(string program, IEnumerable<string> args, TimeSpan timeout) => _folder.Run(program, args, timeout);

    /// <inheritdoc />
    public void Dispose() => _folder.Dispose();

    private static string[] CpuArgs(string cpus) => string.IsNullOrWhiteSpace(cpus) ? [] : ["--cpus", cpus];

    private static void WriteSource(string resource, string path)
    {
        using var source = typeof(BaselinePrograms).Assembly.GetManifestResourceStream("c/" + resource)
            ?? throw new RunFailedException($"c/{resource} is not embedded in the bench program: rebuild it");
        using var file = File.Create(path);
        source.CopyTo(file);
    }
}
