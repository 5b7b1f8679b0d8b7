using Ring.Harness.Hosting;
using Ring;

namespace Bench;

/// <summary>
/// The yardsticks of <c>../shared/reference</c>, which the figures in our docs are quoted against: lean.c (in every
/// <see cref="LeanGeometry"/>), floor.c and memif.sh. Built with <c>gcc -O2</c> into a temporary folder (never into
/// the project; nothing is copied into it) and run there; the folder is deleted on dispose. They are not part of
/// the project and are absent from a lone clone; <see cref="BaselinePrograms"/> are the project's own.
/// </summary>
internal sealed class ReferencePrograms : IDisposable
{
    /// <summary>The command that installs what <see cref="Memif"/> needs.</summary>
    public const string MemifInstall = "apt-get install -y dpdk dpdk-dev librte-net-memif23";

    private readonly string _source;
    private readonly CProgramFolder _folder;

    private ReferencePrograms(string source, CProgramFolder folder)
    {
        _source = source;
        _folder = folder;
    }

    /// <summary>The temporary folder the programs were built into.</summary>
    public string Folder => _folder.Folder;

    /// <summary>Whether <paramref name="source"/> holds the reference programs (lean.c, floor.c).</summary>
    public static bool Present(string? source) =>
        source is not null && File.Exists(Path.Combine(source, "lean.c")) && File.Exists(Path.Combine(source, "floor.c"));

    /// <summary>Builds lean.c in every <see cref="LeanGeometry"/>, and floor.c, from <paramref name="source"/>;
    /// throws <see cref="RunFailedException"/> when gcc fails.</summary>
    public static ReferencePrograms Build(string source)
    {
        var folder = CProgramFolder.Create();
        try
        {
            foreach (var lean in LeanGeometry.All)
                folder.Build(Path.Combine(source, "lean.c"), lean.Name, lean.Defines);
            folder.Build(Path.Combine(source, "floor.c"), "floor");
            return new ReferencePrograms(source, folder);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary><c>lean PACKETS SIZE</c> built in <paramref name="geometry"/>: the work's own limit, Mpps.</summary>
    public double Lean(LeanGeometry geometry, long packets, int size) =>
        CProgramFolder.Figure(_folder.Run(geometry.Name, [CProgramFolder.Invariant(packets), CProgramFolder.Invariant(size)],
            CProgramFolder.RunTimeout), "Mpps");

    /// <summary><c>floor MODE COUNT</c> (spin, futex, uds, pipe): the round-trip floor, ns. floor.c pins itself to 0 and 1.</summary>
    public double Floor(string mode, int count) =>
        CProgramFolder.Figure(_folder.Run("floor", [mode, CProgramFolder.Invariant(count)], CProgramFolder.RunTimeout), "rtt_ns");

    /// <summary><c>memif.sh SECONDS SIZE</c>: DPDK's shared-memory PMD, Mpps (median of its 2 s rates).</summary>
    public double Memif(int seconds, int size) =>
        CProgramFolder.Figure(ChildProcess.Run("bash", [Path.Combine(_source, "memif.sh"), CProgramFolder.Invariant(seconds),
            CProgramFolder.Invariant(size)], TimeSpan.FromSeconds(seconds + 60)), "memif_mpps");

    /// <inheritdoc />
    public void Dispose() => _folder.Dispose();
}
