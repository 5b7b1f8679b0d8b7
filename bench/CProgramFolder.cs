using Ring.Harness.Hosting;
using System.Globalization;
using System.Text.RegularExpressions;
using Ring;

namespace Bench;

/// <summary>
/// A temporary folder that C programs are built into with gcc and run from (never the project's own folders);
/// deleted, with everything in it, on dispose. Shared by <see cref="BaselinePrograms"/> and
/// <see cref="ReferencePrograms"/>.
/// </summary>
internal sealed class CProgramFolder : IDisposable
{
    /// <summary>How long a build or a run may take before it is killed.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    /// <summary>What to tell a user without gcc.</summary>
    public const string NoGcc = "gcc not found (.ci/run installs it; or apt-get install -y gcc)";

    private CProgramFolder(string folder) => Folder = folder;

    /// <summary>The folder.</summary>
    public string Folder { get; }

    /// <summary>A new, empty folder under the system's temporary folder.</summary>
    public static CProgramFolder Create() => new(Directory.CreateTempSubdirectory("ring-c-").FullName);

    /// <summary>Whether gcc is on PATH.</summary>
    public static bool GccFound => OnPath("gcc") is not null;

    /// <summary>Where <paramref name="name"/> is on PATH; null when it is not.</summary>
    public static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// Builds <paramref name="source"/> into the program <paramref name="name"/> with <c>gcc -O2</c> and
    /// <paramref name="flags"/>; returns what gcc printed on standard error (its warnings, empty when none). Throws
    /// <see cref="RunFailedException"/> with gcc's output when the build fails.
    /// </summary>
    public string Build(string source, string name, params string[] flags)
    {
        var (_, warnings) = ChildProcess.RunCapturing("gcc", ["-O2", .. flags, "-o", Path.Combine(Folder, name), source], RunTimeout);
        return warnings;
    }

    /// <summary>Runs the built program <paramref name="name"/> to the end and returns its standard output; throws
    /// <see cref="RunFailedException"/>, with everything it printed, when it fails or outlives <paramref name="timeout"/>.</summary>
    public string Run(string name, IEnumerable<string> args, TimeSpan timeout) =>
        ChildProcess.Run(Path.Combine(Folder, name), args, timeout);

    /// <summary>The number after <c>name=</c> in <paramref name="output"/>; throws <see cref="RunFailedException"/> when there is none.</summary>
    public static double Figure(string output, string name)
    {
        var match = Regex.Match(output, $@"\b{Regex.Escape(name)}=([0-9]+(?:\.[0-9]+)?)");
        if (!match.Success)
            throw new RunFailedException($"no {name}= in the output: {output.Trim()}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary><paramref name="value"/> as the C programs parse it.</summary>
    public static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
