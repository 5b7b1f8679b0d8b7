using Ring.Harness.Hosting;
using System.Globalization;
using System.Text.RegularExpressions;
using Ring;

namespace Bench;

/// <summary>
/// The reference programs of <c>shared/reference</c>, built with <c>gcc -O2</c> into a temporary folder (never into
/// the project) and run there; the folder is deleted on dispose. Each run returns the figure its last line prints.
/// </summary>
internal sealed class ReferencePrograms : IDisposable
{
    /// <summary>The command that installs what <see cref="Memif"/> needs.</summary>
    public const string MemifInstall = "apt-get install -y dpdk dpdk-dev librte-net-memif23";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    private readonly string _source;
    private readonly string _build;

    private ReferencePrograms(string source, string build)
    {
        _source = source;
        _build = build;
    }

    /// <summary>The temporary folder the programs were built into.</summary>
    public string Folder => _build;

    /// <summary>
    /// Builds <paramref name="names"/> (default: lean.c and floor.c) from <paramref name="source"/>; throws
    /// RingException when gcc fails. Only the programs built can be run.
    /// </summary>
    public static ReferencePrograms Build(string source, params string[] names)
    {
        if (names.Length == 0)
            names = ["lean", "floor"];
        string build = Directory.CreateTempSubdirectory("ring-refs-").FullName;
        var programs = new ReferencePrograms(source, build);
        try
        {
            foreach (string name in names)
                ChildProcess.Run("gcc", ["-O2", "-o", Path.Combine(build, name), Path.Combine(source, name + ".c")], RunTimeout);
            return programs;
        }
        catch
        {
            programs.Dispose();
            throw;
        }
    }

    /// <summary>Where <paramref name="name"/> is on PATH; null when it is not.</summary>
    public static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary><c>lean PACKETS SIZE</c>: the work's own limit, Mpps.</summary>
    public double Lean(long packets, int size) =>
        Figure(ChildProcess.Run(Path.Combine(_build, "lean"), [Invariant(packets), Invariant(size)], RunTimeout), "Mpps");

    /// <summary><c>floor MODE COUNT</c> (spin, futex, uds, pipe): the round-trip floor, ns.</summary>
    public double Floor(string mode, int count) =>
        Figure(ChildProcess.Run(Path.Combine(_build, "floor"), [mode, Invariant(count)], RunTimeout), "rtt_ns");

    /// <summary><c>memif.sh SECONDS SIZE</c>: DPDK's shared-memory PMD, Mpps (median of its 2 s rates).</summary>
    public double Memif(int seconds, int size) =>
        Figure(ChildProcess.Run("bash", [Path.Combine(_source, "memif.sh"), Invariant(seconds), Invariant(size)],
            TimeSpan.FromSeconds(seconds + 60)), "memif_mpps");

    /// <summary>The number after <c>name=</c> in <paramref name="output"/>.</summary>
    public static double Figure(string output, string name)
    {
        var match = Regex.Match(output, $@"\b{Regex.Escape(name)}=([0-9]+(?:\.[0-9]+)?)");
        if (!match.Success)
            throw new RunFailedException($"no {name}= in the output: {output.Trim()}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_build, recursive: true);

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
